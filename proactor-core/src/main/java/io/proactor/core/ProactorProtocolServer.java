package io.proactor.core;

import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.Engine;
import io.proactor.Proactor;
import io.proactor.ProactorGroup;
import io.proactor.ProactorGroupConfig;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ServerSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs protocol handlers on a completion-based engine, in each threading model, using only the public
 * asynchronous channel API:
 * <ul>
 *   <li>SINGLE: one proactor listens, and owns every connection;</li>
 *   <li>WORKER_POOL: as SINGLE, with callbacks on a {@link WorkerPool};</li>
 *   <li>MAIN_SUB: proactor 0 listens and accepts each connection onto the next of proactors 1..N;</li>
 *   <li>REUSEPORT: each of N proactors has its own {@code SO_REUSEPORT} listener and keeps what it accepts.</li>
 * </ul>
 */
final class ProactorProtocolServer extends LoopProtocolServer {

    private static final Logger LOG = LoggerFactory.getLogger(ProactorProtocolServer.class);
    /** Pooled output chunks per proactor and their size. */
    static final int CHUNK_SIZE = 16 * 1024;
    static final int CHUNKS_POOLED = 256;

    private final List<AsyncServerSocket> listeners = new ArrayList<>();
    private final ConcurrentHashMap<Proactor, BufferPool> chunkPools = new ConcurrentHashMap<>();
    /** Made by {@link #listen}, so that a failure to make it is cleaned up like any other. */
    private volatile ProactorGroup group;

    private ProactorProtocolServer(Engine engine, ServerSpec spec) {
        super(engine, spec);
    }

    static ProtocolServer start(Engine engine, ServerSpec spec) throws IOException {
        return started(new ProactorProtocolServer(engine, spec));
    }

    @Override
    protected void listen() throws IOException {
        group = ProactorGroup.open(engine, ProactorGroupConfig.of(loopCount()).withName("server")
                .withReceiveBuffers(spec.options().readBufferSize(), spec.options().receiveBufferCount()));
        group.proactors().forEach(p -> watch(p, p.name()));
        List<Proactor> loops = group.proactors();
        switch (spec.model()) {
            case SINGLE, WORKER_POOL -> startAcceptor(open(loops.get(0), spec.bindAddress(), false), List.of(loops.get(0)));
            case MAIN_SUB -> startAcceptor(open(loops.get(0), spec.bindAddress(), false), loops.subList(1, loops.size()));
            case REUSEPORT -> {
                InetSocketAddress address = spec.bindAddress();
                for (Proactor p : loops) {
                    AsyncServerSocket listener = open(p, address, true);
                    // port 0 picks a port once; the other listeners join that port
                    address = (InetSocketAddress) listener.localAddress();
                    startAcceptor(listener, List.of(p));
                }
            }
        }
    }

    private AsyncServerSocket open(Proactor p, InetSocketAddress address, boolean reusePort) throws IOException {
        AsyncServerSocket listener = p.openServerSocket();
        listeners.add(listener);
        listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        if (reusePort) {
            listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        listener.bind(address, spec.backlog());
        bound((InetSocketAddress) listener.localAddress());
        return listener;
    }

    private void startAcceptor(AsyncServerSocket listener, List<Proactor> targets) {
        new Acceptor(listener, targets).acceptNext();
    }

    /** Accepts forever on one listener, spreading connections over its targets. */
    private final class Acceptor implements CompletionHandler<AsyncSocket, Void> {
        private final AsyncServerSocket listener;
        private final List<Proactor> targets;
        private int next;

        Acceptor(AsyncServerSocket listener, List<Proactor> targets) {
            this.listener = listener;
            this.targets = targets;
        }

        void acceptNext() {
            Proactor target = targets.get(next);
            next = (next + 1) % targets.size();
            listener.accept(target, null, this);
        }

        @Override
        public void completed(AsyncSocket socket, Void unused) {
            serve(socket);
            acceptNext();
        }

        @Override
        public void failed(Throwable exc, Void unused) {
            if (closing || !listener.isOpen() || exc instanceof ClosedChannelException
                    || exc instanceof ShutdownChannelGroupException) {
                return;
            }
            // e.g. EMFILE: keep the server alive, but do not spin while descriptors are short
            LOG.warn("accept on {} failed; retrying in 100 ms", localAddress(), exc);
            listener.proactor().schedule(() -> {
                if (listener.isOpen()) {
                    acceptNext();
                }
            }, 100, TimeUnit.MILLISECONDS);
        }
    }

    private void serve(AsyncSocket socket) {
        ProactorConnection[] self = new ProactorConnection[1];
        try {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, spec.options().tcpNoDelay());
            ProtocolHandler handler = spec.handlers().get();
            ProactorLoop loop = (ProactorLoop) socket.proactor();
            BufferPool chunks = chunkPools.computeIfAbsent(loop, l -> new BufferPool(loop, CHUNK_SIZE, CHUNKS_POOLED));
            self[0] = new ProactorConnection(socket, handler, nextWorker(), chunks,
                    spec.options(), () -> connections.remove(self[0]));
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot serve a new connection; closing it", e);
            socket.close();
            return;
        }
        connections.add(self[0]);
        if (closing) {
            self[0].abort(null);
        }
        self[0].start(null);
    }

    @Override
    protected List<? extends EventLoop> loops() {
        ProactorGroup g = group;
        return g == null ? List.of() : g.proactors().stream().map(p -> (ProactorLoop) p).toList();
    }

    @Override
    protected void stopLoops() {
        listeners.forEach(AsyncServerSocket::close);
        connections.forEach(c -> c.abort(null));
        if (group != null) {
            group.close();
        }
    }

    @Override
    protected void awaitLoopsStopped() {
        ProactorGroup g = group;
        if (g != null) {
            g.terminationFuture().join();
        }
    }
}
