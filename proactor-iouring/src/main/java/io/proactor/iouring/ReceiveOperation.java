package io.proactor.iouring;

import io.netty.channel.uring.IoUringIoOps;
import io.proactor.LeasedBuffer;
import io.proactor.core.OperationSlot;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The socket's multishot {@code RECV} into the proactor's provided buffers: armed by the first
 * {@code receive()}, one SQE then delivers every chunk that arrives as a CQE with the buffer the kernel picked.
 * Each chunk is lent to a {@code receive()} as it is, or copied into a {@code read()}'s buffer while the
 * multishot is armed (bytes may be on their way through it, and must be read in order).
 *
 * <p>Chunks nobody asked for yet wait in {@link #received}; past {@link #MAX_RECEIVED} the multishot is
 * cancelled, so that a paused reader stops taking buffers from the group, and re-armed by the next receive.
 * When the group is dry the multishot ends with {@code -ENOBUFS} having read nothing, and is re-armed once
 * the pool has a buffer for it. A multishot cannot carry a linked timeout: the socket arms a timer instead.
 */
final class ReceiveOperation extends SocketOperation {

    private static final int MAX_RECEIVED = 4;
    private static final int END_OF_STREAM = 1;

    private final OperationSlot slot;
    private final IoUringIoOps recvMultishot;
    private final ArrayDeque<LeasedBuffer> received = new ArrayDeque<>(MAX_RECEIVED);
    private boolean armed;
    private boolean cancelling;
    private int receivedEnd;                 // 0: none; END_OF_STREAM; or a negative errno
    private boolean receivePending;          // a receive() waits for the next chunk
    private ByteBuffer readPendingDst;       // a read() waits for the next chunk (while the multishot is armed)
    private boolean awaitingBuffer;
    private final Runnable retry = this::retry;
    private final Runnable deliver = this::deliver;

    ReceiveOperation(IoUringAsyncSocket socket, OperationSlot slot) {
        super(socket);
        this.slot = slot;
        this.recvMultishot = IoUringSqes.recvMultishotProvided(fd, ReceiveBuffers.GROUP, tag);
    }

    /** Whether a {@code read()} must take its bytes from here: the multishot is armed or left data or an end. */
    boolean active() {
        return armed || !received.isEmpty() || receivedEnd != 0;
    }

    /** Starts a {@code receive()}: the next chunk, lent as it is. */
    void receive() {
        receivePending = true;
        if (!received.isEmpty() || receivedEnd != 0) {
            loop.execute(deliver); // never inside the initiating call
        } else {
            arm();
        }
    }

    /** Starts a {@code read(dst)} while {@link #active()}: what was received is copied into {@code dst}. */
    void read(ByteBuffer dst) {
        readPendingDst = dst;
        loop.execute(deliver);
    }

    private void arm() {
        if (armed || cancelling || awaitingBuffer || !socket.isOpen()) {
            return; // armed already, or re-armed when the cancel's last CQE or a buffer comes back
        }
        if (!processor.buffers().ready() || !submit(recvMultishot)) {
            receivedEnd = -IoUringSqes.ECANCELED;
            loop.execute(deliver);
            return;
        }
        armed = true;
    }

    private void retry() {
        if (awaitingBuffer) {
            awaitingBuffer = false;
            if (receivePending || readPendingDst != null) {
                arm();
            }
        }
    }

    /** Hands what the multishot brought to a waiting receive() or read(); loop only, never inline. */
    private void deliver() {
        if (receivePending) {
            if (!received.isEmpty()) {
                receivePending = false;
                slot.complete(received.poll());
            } else if (receivedEnd != 0) {
                receivePending = false;
                if (receivedEnd == END_OF_STREAM) {
                    slot.complete(null); // end of stream is a null lease
                } else {
                    slot.fail(IoUringErrors.socket("recv", receivedEnd));
                }
            }
        } else if (readPendingDst != null) {
            ByteBuffer dst = readPendingDst;
            int n = 0;
            LeasedBuffer lease;
            while (dst.hasRemaining() && (lease = received.peek()) != null) {
                ByteBuffer b = lease.buffer();
                int take = Math.min(b.remaining(), dst.remaining());
                dst.put(b.slice(b.position(), take));
                b.position(b.position() + take);
                n += take;
                if (!b.hasRemaining()) {
                    received.poll().release();
                }
            }
            if (n > 0) {
                readPendingDst = null;
                slot.complete(n);
            } else if (receivedEnd != 0) {
                readPendingDst = null;
                if (receivedEnd == END_OF_STREAM) {
                    slot.complete(-1);
                } else {
                    slot.fail(IoUringErrors.socket("recv", receivedEnd));
                }
            }
        }
        if ((receivePending || readPendingDst != null) && received.isEmpty() && receivedEnd == 0) {
            arm();
        }
    }

    @Override
    void onCompletion(int res, int flags) {
        boolean more = (flags & IoUringSqes.CQE_F_MORE) != 0;
        if (!more) {
            armed = false;
        }
        boolean hasBuffer = (flags & IoUringSqes.CQE_F_BUFFER) != 0;
        if (res > 0 && hasBuffer) {
            LeasedBuffer lease = processor.buffers().lend(res, flags);
            if (socket.isOpen()) {
                received.add(lease);
            } else {
                lease.release(); // data of a multishot still in flight when the socket closed: nobody will ask
            }
        } else {
            if (hasBuffer) {
                processor.buffers().giveBack(flags);
            }
            if (res == 0) {
                receivedEnd = END_OF_STREAM;
            } else if (res == -IoUringSqes.ENOBUFS) {
                // the group was dry: nothing was read; re-arm once the pool has grown or a buffer came back
                if (socket.isOpen() && (receivePending || readPendingDst != null) && received.isEmpty()) {
                    awaitingBuffer = true;
                    processor.buffers().exhausted(retry);
                }
            } else if (res == -IoUringSqes.ECANCELED && socket.isOpen()) {
                // our own cancel (too much received and not asked for): nothing is wrong
            } else if (res < 0) {
                receivedEnd = socket.isOpen() ? res : -IoUringSqes.ECANCELED;
            }
        }
        if (!more) {
            cancelling = false;
        }
        deliver();
        if (armed && !cancelling && received.size() >= MAX_RECEIVED) {
            cancelling = cancel();
        }
    }

    /**
     * The socket is closing: what was received and never handed out goes back, and a receive or read waiting
     * while no multishot is in the kernel (nothing will cancel it but us) fails later.
     */
    void close() {
        LeasedBuffer lease;
        while ((lease = received.poll()) != null) {
            lease.release();
        }
        awaitingBuffer = false;
        if ((receivePending || readPendingDst != null) && !armed) {
            receivedEnd = -IoUringSqes.ECANCELED;
            loop.execute(deliver);
        }
    }
}
