package io.proactor.core;

import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.Engine;
import io.proactor.Proactor;
import io.proactor.ProactorGroup;
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

    private final ProactorGroup group;
    private final ConcurrentHashMap<Proactor, BufferPool> chunkPools = new ConcurrentHashMap<>();

    private ProactorProtocolClient(Engine engine, ClientSpec spec, ProactorGroup group) {
        super(engine, spec, true);
        this.group = group;
    }

    static ProtocolClient start(Engine engine, ClientSpec spec) {
        // the group first: if the engine cannot make one, no worker thread has been started
        ProactorGroup group = ProactorGroup.open(engine, ProactorGroupConfig.of(spec.ioThreads()).withName("client")
                .withReceiveBuffers(spec.options().readBufferSize(), spec.options().receiveBufferCount()));
        return new ProactorProtocolClient(engine, spec, group);
    }

    @Override
    public CompletableFuture<Connection> connect(SocketAddress remote, ProtocolHandler handler) {
        checkConnect(remote, handler);
        CompletableFuture<Connection> result = new CompletableFuture<>();
        AsyncSocket socket;
        try {
            socket = group.next().openSocket();
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        socket.connect(remote, spec.connectTimeout().toNanos(), TimeUnit.NANOSECONDS, null,
                new CompletionHandler<Void, Object>() {
                    @Override
                    public void completed(Void v, Object a) {
                        opened(socket, handler, result);
                    }

                    @Override
                    public void failed(Throwable exc, Object a) {
                        socket.close();
                        result.completeExceptionally(exc);
                    }
                });
        return result;
    }

    private void opened(AsyncSocket socket, ProtocolHandler handler, CompletableFuture<Connection> result) {
        ProactorConnection[] self = new ProactorConnection[1];
        try {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, spec.options().tcpNoDelay());
            ProactorLoop loop = (ProactorLoop) socket.proactor();
            BufferPool chunks = chunkPools.computeIfAbsent(loop,
                    l -> new BufferPool(loop, ProactorProtocolServer.CHUNK_SIZE, ProactorProtocolServer.CHUNKS_POOLED));
            self[0] = new ProactorConnection(socket, handler, nextWorker(), chunks,
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
