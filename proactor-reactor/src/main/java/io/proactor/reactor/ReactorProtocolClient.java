package io.proactor.reactor;

import io.proactor.Cancellable;
import io.proactor.Engine;
import io.proactor.core.AbstractProtocolClient;
import io.proactor.protocol.ClientSpec;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ThreadingModel;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Protocol-handler clients on {@link ReactorLoop}s ({@code client-reactor-<i>}): SINGLE and WORKER_POOL use
 * one loop, MAIN_SUB spreads connections over N loops round robin. A connect is a non-blocking
 * {@code connect(2)} completed on {@code OP_CONNECT}, bounded by a loop timer.
 *
 * <p><b>Threading.</b> Any thread may call any method. The future of {@link #connect} completes on the
 * connection's callback thread after {@code onOpen} ran.
 */
final class ReactorProtocolClient extends AbstractProtocolClient {

    private final List<ReactorLoop> loops = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    ReactorProtocolClient(Engine engine, ClientSpec spec) {
        super(engine, spec, true);
        try {
            for (int i = 0; i < spec.ioThreads(); i++) {
                loops.add(new ReactorLoop("client-" + engine.name() + "-" + i, spec.options().readBufferSize()));
            }
        } catch (RuntimeException e) {
            loops.forEach(ReactorLoop::close);
            closeWorkers();
            throw e;
        }
    }

    @Override
    public CompletableFuture<Connection> connect(SocketAddress remote, ProtocolHandler handler) {
        checkConnect(remote, handler);
        CompletableFuture<Connection> result = new CompletableFuture<>();
        ReactorLoop loop = loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
        SocketChannel channel;
        try {
            channel = SocketChannel.open();
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, spec.options().tcpNoDelay());
            } catch (IOException | RuntimeException e) {
                ReactorProtocolServer.closeQuietly(channel);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        Connector connector = new Connector(channel, loop, remote, handler, result);
        try {
            loop.execute(connector::begin);
        } catch (RejectedExecutionException e) {
            ReactorProtocolServer.closeQuietly(channel);
            result.completeExceptionally(new AsynchronousCloseException());
        }
        return result;
    }

    /** One connect in progress, on its loop. */
    private final class Connector implements ReactorHandle {
        private final SocketChannel channel;
        private final ReactorLoop loop;
        private final SocketAddress remote;
        private final ProtocolHandler handler;
        private final CompletableFuture<Connection> result;
        private SelectionKey key;
        private Cancellable timeout;

        Connector(SocketChannel channel, ReactorLoop loop, SocketAddress remote, ProtocolHandler handler,
                  CompletableFuture<Connection> result) {
            this.channel = channel;
            this.loop = loop;
            this.remote = remote;
            this.handler = handler;
            this.result = result;
        }

        void begin() {
            try {
                if (closing) {
                    throw new AsynchronousCloseException();
                }
                if (channel.connect(remote)) {
                    opened();
                    return;
                }
                key = loop.register(channel, SelectionKey.OP_CONNECT, this);
            } catch (IOException | RuntimeException e) { // UnresolvedAddressException, ... are unchecked
                fail(e);
                return;
            }
            timeout = loop.schedule(() -> fail(new InterruptedByTimeoutException()),
                    spec.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public void ready(int readyOps) {
            try {
                if (!channel.finishConnect()) {
                    return;
                }
            } catch (IOException e) {
                fail(e);
                return;
            }
            opened();
        }

        @Override
        public void loopClosing() {
            fail(new AsynchronousCloseException());
        }

        private void opened() {
            if (timeout != null) {
                timeout.cancel();
            }
            ReactorConnection[] self = new ReactorConnection[1];
            try {
                self[0] = new ReactorConnection(channel, loop, handler, nextWorker(),
                        spec.options(), () -> connections.remove(self[0]));
                connections.add(self[0]);
                self[0].start(key, result);
            } catch (IOException | RuntimeException e) {
                if (self[0] != null) {
                    connections.remove(self[0]);
                }
                fail(e);
            }
        }

        private void fail(Throwable e) {
            if (timeout != null) {
                timeout.cancel();
            }
            if (key != null) {
                key.cancel();
            }
            ReactorProtocolServer.closeQuietly(channel);
            result.completeExceptionally(e);
        }
    }

    @Override
    public void close() {
        closing = true;
        loops.forEach(ReactorLoop::shutdown);
        loops.forEach(ReactorLoop::close);
        closeWorkers();
    }
}
