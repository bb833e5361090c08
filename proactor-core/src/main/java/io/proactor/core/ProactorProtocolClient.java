package io.proactor.core;

import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.Engine;
import io.proactor.ProactorGroupConfig;
import io.proactor.protocol.ClientSpec;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Protocol-handler clients on a completion-based engine; see {@link ProactorProtocolServer}. */
final class ProactorProtocolClient extends AbstractProtocolClient {

    private final DefaultProactorGroup group;
    private final ConcurrentHashMap<ProactorLoop, BufferPool> chunkPools = new ConcurrentHashMap<>();

    private ProactorProtocolClient(Engine engine, ClientSpec spec, DefaultProactorGroup group) {
        super(engine, spec, true);
        this.group = group;
    }

    static ProtocolClient start(AbstractProactorEngine engine, ClientSpec spec) {
        // the group first: if the engine cannot make one, no worker thread has been started
        DefaultProactorGroup group = engine.openProactorGroup(ProactorGroupConfig.of(spec.ioThreads())
                .withName("client")
                .withReceiveBuffers(spec.options().readBufferSize(), spec.options().receiveBufferCount()));
        return new ProactorProtocolClient(engine, spec, group);
    }

    @Override
    public CompletableFuture<Connection> connect(SocketAddress remote, ProtocolHandler handler) {
        checkConnect(remote, handler);
        CompletableFuture<Connection> result = new CompletableFuture<>();
        ProactorLoop loop = group.next();
        AsyncSocket socket;
        try {
            socket = loop.openSocket();
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        socket.connect(remote, spec.connectTimeout().toNanos(), TimeUnit.NANOSECONDS, null,
                new CompletionHandler<Void, Object>() {
                    @Override
                    public void completed(Void v, Object a) {
                        opened(socket, loop, handler, result);
                    }

                    @Override
                    public void failed(Throwable exc, Object a) {
                        socket.close();
                        result.completeExceptionally(exc);
                    }
                });
        return result;
    }

    /** Serves a connection {@code loop} opened. */
    private void opened(AsyncSocket socket, ProactorLoop loop, ProtocolHandler handler,
                        CompletableFuture<Connection> result) {
        ProactorConnection[] self = new ProactorConnection[1];
        try {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, spec.options().tcpNoDelay());
            BufferPool chunks = chunkPools.computeIfAbsent(loop,
                    l -> new BufferPool(l, ProactorProtocolServer.CHUNK_SIZE, ProactorProtocolServer.CHUNKS_POOLED));
            self[0] = new ProactorConnection(socket, loop, handler, nextWorker(), chunks,
                    spec.options(), () -> connections.remove(self[0]));
        } catch (IOException | RuntimeException e) {
            socket.close();
            result.completeExceptionally(e);
            return;
        }
        connections.add(self[0]);
        self[0].start(result);
    }

    @Override
    public void close() {
        closing = true;
        connections.forEach(c -> c.abort(null));
        group.close();
        closeWorkers();
    }
}
