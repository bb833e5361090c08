package io.proactor.nio2;

import io.proactor.AsyncServerSocket;
import io.proactor.core.AbstractAsyncServerSocket;
import io.proactor.core.ListenBacklog;
import io.proactor.core.OperationSlot;
import io.proactor.core.ProactorLoop;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.util.Objects;

/** {@link AsyncServerSocket} on a JDK {@link AsynchronousServerSocketChannel}. */
final class Nio2AsyncServerSocket extends AbstractAsyncServerSocket {

    private final AsynchronousServerSocketChannel channel;
    private final AcceptCompletion acceptDone;

    Nio2AsyncServerSocket(ProactorLoop loop, Nio2CompletionEventQueue queue, AsynchronousServerSocketChannel channel) {
        super(loop);
        this.channel = channel;
        this.acceptDone = new AcceptCompletion(loop, queue);
    }

    private final class AcceptCompletion extends Nio2Completion<AsynchronousSocketChannel> {
        ProactorLoop target;
        OperationSlot slot;

        AcceptCompletion(ProactorLoop loop, Nio2CompletionEventQueue queue) {
            super(loop, queue);
        }

        @Override
        void onCompleted(AsynchronousSocketChannel accepted) {
            OperationSlot s = slot;
            slot = null;
            Nio2OperationProcessor processor = (Nio2OperationProcessor) target.processor();
            accepted(target, processor.adopt(accepted), s);
        }

        @Override
        void onFailed(Throwable exc) {
            OperationSlot s = slot;
            slot = null;
            s.fail(exc);
        }
    }

    @Override
    protected void implAccept(ProactorLoop target, OperationSlot slot) {
        acceptDone.target = target;
        acceptDone.slot = slot;
        acceptDone.started();
        try {
            channel.accept(null, acceptDone);
        } catch (RuntimeException e) {
            acceptDone.refused(e);
        }
    }

    @Override
    public AsyncServerSocket bind(SocketAddress local, int backlog) throws IOException {
        Objects.requireNonNull(local, "'local' is null");
        // not the JDK's default: bind(local, 0) would listen with a backlog of 50
        channel.bind(local, ListenBacklog.forListen(backlog));
        return this;
    }

    @Override
    public <T> AsyncServerSocket setOption(SocketOption<T> name, T value) throws IOException {
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
    protected void implClose() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "Nio2AsyncServerSocket[" + channel + "]";
    }
}
