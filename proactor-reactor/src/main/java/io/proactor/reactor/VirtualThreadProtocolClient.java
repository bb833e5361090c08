package io.proactor.reactor;

import io.proactor.Engine;
import io.proactor.core.AbstractProtocolClient;
import io.proactor.protocol.ClientSpec;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Protocol-handler clients on virtual threads: each connect runs on the connection's own reader virtual
 * thread ({@code client-virtual-threads-conn-<n>}), which blocks in {@code connect} (bounded by the connect
 * timeout), then serves the connection as {@link VirtualThreadConnection} describes. The threading model is
 * not used: every connection has its own threads.
 *
 * <p><b>Threading.</b> Any thread may call any method; the future of {@link #connect} completes on the reader
 * thread after {@code onOpen} ran.
 */
final class VirtualThreadProtocolClient extends AbstractProtocolClient {

    private final String prefix;
    private final VirtualThreadGroup threads;
    private final Set<SocketChannel> connecting = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();

    VirtualThreadProtocolClient(Engine engine, ClientSpec spec) {
        this(engine, spec, true);
    }

    /** A client whose threads are virtual, or platform threads when {@code virtual} is false. */
    VirtualThreadProtocolClient(Engine engine, ClientSpec spec, boolean virtual) {
        super(engine, spec, false);
        this.threads = new VirtualThreadGroup(virtual);
        this.prefix = "client-" + engine.name();
    }

    @Override
    public CompletableFuture<Connection> connect(SocketAddress remote, ProtocolHandler handler) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        SocketChannel channel;
        synchronized (this) { // no connect begins once close began
            checkConnect(remote, handler);
            try {
                channel = SocketChannel.open();
            } catch (IOException e) {
                result.completeExceptionally(e);
                return result;
            }
            connecting.add(channel);
        }
        String name = prefix + "-conn-" + connectionIds.incrementAndGet();
        try {
            threads.start(name, () -> connectAndServe(channel, remote, handler, name, result));
        } catch (RejectedExecutionException e) {
            connecting.remove(channel);
            ReactorProtocolServer.closeQuietly(channel);
            result.completeExceptionally(new AsynchronousCloseException());
        }
        return result;
    }

    private void connectAndServe(SocketChannel channel, SocketAddress remote, ProtocolHandler handler, String name,
                                 CompletableFuture<Connection> result) {
        VirtualThreadConnection[] self = new VirtualThreadConnection[1];
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, spec.options().tcpNoDelay());
            int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, spec.connectTimeout().toMillis()));
            channel.socket().connect(remote, millis);
            self[0] = new VirtualThreadConnection(channel, handler, spec.options(), threads, name,
                    () -> connections.remove(self[0]));
            synchronized (this) {
                connecting.remove(channel);
                if (closing) {
                    throw new AsynchronousCloseException();
                }
                connections.add(self[0]);
            }
        } catch (SocketTimeoutException e) {
            failed(channel, result, new InterruptedByTimeoutException());
            return;
        } catch (IOException | RuntimeException e) {
            failed(channel, result, e);
            return;
        }
        self[0].runReader(result);
    }

    private void failed(SocketChannel channel, CompletableFuture<Connection> result, Throwable e) {
        connecting.remove(channel);
        ReactorProtocolServer.closeQuietly(channel);
        result.completeExceptionally(e);
    }

    @Override
    public void close() {
        synchronized (this) {
            closing = true;
        }
        threads.awaitAll(() -> {
            connecting.forEach(ReactorProtocolServer::closeQuietly);
            connections.forEach(c -> c.abort(null));
        });
    }
}
