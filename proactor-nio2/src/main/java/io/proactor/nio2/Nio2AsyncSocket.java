package io.proactor.nio2;

import io.proactor.AsyncFile;
import io.proactor.AsyncSocket;
import io.proactor.LeasedBuffer;
import io.proactor.core.AbstractAsyncSocket;
import io.proactor.core.BufferPool;
import io.proactor.core.CopyingTransfer;
import io.proactor.core.OperationSlot;
import io.proactor.core.ProactorLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * {@link AsyncSocket} on a JDK {@link AsynchronousSocketChannel}. One reusable completion object per kind of
 * operation; {@code receive} lends a pooled direct buffer for the duration of the read (NIO.2 has no
 * kernel-provided buffers, so a pending receive pins one buffer).
 */
final class Nio2AsyncSocket extends AbstractAsyncSocket {

    private final AsynchronousSocketChannel channel;
    private final BufferPool receiveBuffers;
    private final SlotCompletion<Void> connectDone;
    private final SlotCompletion<Integer> readDone;
    private final SlotCompletion<Integer> writeDone;
    private final SlotCompletion<Long> gatherDone;
    /** A gathering write of one buffer, made a plain write (the JDK's cheaper path): reports a {@code Long}. */
    private final SlotCompletion<Integer> gatherOneDone;
    private final ReceiveCompletion receiveDone;

    Nio2AsyncSocket(ProactorLoop loop, Nio2CompletionEventQueue queue, AsynchronousSocketChannel channel,
                    BufferPool receiveBuffers, boolean connected) {
        super(loop, connected);
        this.channel = channel;
        this.receiveBuffers = receiveBuffers;
        this.connectDone = new SlotCompletion<>(loop, queue) {
            @Override
            void onCompleted(Void value) {
                markConnected();
                super.onCompleted(value);
            }
        };
        this.readDone = new SlotCompletion<>(loop, queue);
        this.writeDone = new SlotCompletion<>(loop, queue);
        this.gatherDone = new SlotCompletion<>(loop, queue);
        this.gatherOneDone = new SlotCompletion<>(loop, queue) {
            @Override
            void onCompleted(Integer n) {
                finish(n.longValue());
            }
        };
        this.receiveDone = new ReceiveCompletion(loop, queue);
    }

    /** Completes whichever slot it was started for. */
    private static class SlotCompletion<V> extends Nio2Completion<V> {
        private OperationSlot slot;

        SlotCompletion(ProactorLoop loop, Nio2CompletionEventQueue queue) {
            super(loop, queue);
        }

        SlotCompletion<V> start(OperationSlot s) {
            this.slot = s;
            started();
            return this;
        }

        @Override
        void onCompleted(V value) {
            finish(value);
        }

        /** Completes the slot with {@code result}, which may differ from the JDK's (see gatherOneDone). */
        final void finish(Object result) {
            OperationSlot s = slot;
            slot = null;
            s.complete(result);
        }

        @Override
        void onFailed(Throwable exc) {
            OperationSlot s = slot;
            slot = null;
            s.fail(exc);
        }
    }

    private final class ReceiveCompletion extends Nio2Completion<Integer> {
        private LeasedBuffer lease;

        ReceiveCompletion(ProactorLoop loop, Nio2CompletionEventQueue queue) {
            super(loop, queue);
        }

        @Override
        void onCompleted(Integer n) {
            LeasedBuffer l = lease;
            lease = null;
            if (n < 0) {
                l.release();
                readSlot.complete(null);
            } else {
                l.buffer().flip();
                readSlot.complete(l);
            }
        }

        @Override
        void onFailed(Throwable exc) {
            LeasedBuffer l = lease;
            lease = null;
            l.release();
            readSlot.fail(exc);
        }
    }

    @Override
    protected void implConnect(InetSocketAddress remote, long timeoutNanos, OperationSlot slot) {
        armTimer(slot, timeoutNanos);
        SlotCompletion<Void> c = connectDone.start(slot);
        try {
            channel.connect(remote, null, c);
        } catch (RuntimeException e) {
            c.refused(e);
        }
    }

    @Override
    protected void implRead(ByteBuffer dst, long timeoutNanos, OperationSlot slot) {
        armTimer(slot, timeoutNanos);
        SlotCompletion<Integer> c = readDone.start(slot);
        try {
            channel.read(dst, null, c);
        } catch (RuntimeException e) {
            c.refused(e);
        }
    }

    @Override
    protected void implReceive(long timeoutNanos, OperationSlot slot) {
        armTimer(slot, timeoutNanos);
        receiveDone.lease = receiveBuffers.acquire();
        receiveDone.started();
        try {
            channel.read(receiveDone.lease.buffer(), null, receiveDone);
        } catch (RuntimeException e) {
            receiveDone.refused(e);
        }
    }

    @Override
    protected void implWrite(ByteBuffer src, long timeoutNanos, OperationSlot slot) {
        armTimer(slot, timeoutNanos);
        SlotCompletion<Integer> c = writeDone.start(slot);
        try {
            channel.write(src, null, c);
        } catch (RuntimeException e) {
            c.refused(e);
        }
    }

    @Override
    protected void implWrite(ByteBuffer[] srcs, int offset, int length, long timeoutNanos, OperationSlot slot) {
        armTimer(slot, timeoutNanos);
        if (length == 1) {
            // the JDK's gathering write takes an iovec array from a thread-local and calls writev, for one buffer
            SlotCompletion<Integer> c = gatherOneDone.start(slot);
            try {
                channel.write(srcs[offset], null, c);
            } catch (RuntimeException e) {
                c.refused(e);
            }
            return;
        }
        SlotCompletion<Long> c = gatherDone.start(slot);
        try {
            channel.write(srcs, offset, length, 0, TimeUnit.NANOSECONDS, null, c);
        } catch (RuntimeException e) {
            c.refused(e);
        }
    }

    @Override
    protected void implTransferFrom(AsyncFile file, long position, long count, OperationSlot slot) {
        new CopyingTransfer(loop, receiveBuffers, file, position, count, slot, (buf, s) -> implWrite(buf, 0, s)).start();
    }

    @Override
    protected void implShutdownOutput(OperationSlot slot) {
        try {
            channel.shutdownOutput();
        } catch (IOException | RuntimeException e) {
            failLater(slot, e);
            return;
        }
        loop.execute(() -> slot.complete(null));
    }

    @Override
    protected void implClose() throws IOException {
        channel.close(); // the JDK fails pending operations with AsynchronousCloseException
    }

    @Override
    public <T> AsyncSocket setOption(SocketOption<T> name, T value) throws IOException {
        channel.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return channel.getOption(name);
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        return channel.getLocalAddress();
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        return channel.getRemoteAddress();
    }

    @Override
    public String toString() {
        return "Nio2AsyncSocket[" + channel + "]";
    }
}
