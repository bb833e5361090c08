package io.proactor.core;

import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.Proactor;
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

    /** The engine as the provider of groups typed with their loops (the superclass keeps it as an Engine). */
    private final AbstractProactorEngine provider;
    private final List<AsyncServerSocket> listeners = new ArrayList<>();
    private final ConcurrentHashMap<ProactorLoop, BufferPool> chunkPools = new ConcurrentHashMap<>();
    /** Made by {@link #listen}, so that a failure to make it is cleaned up like any other. */
    private volatile DefaultProactorGroup group;

    private ProactorProtocolServer(AbstractProactorEngine engine, ServerSpec spec) {
        super(engine, spec);
        this.provider = engine;
    }

    static ProtocolServer start(AbstractProactorEngine engine, ServerSpec spec) throws IOException {
        return started(new ProactorProtocolServer(engine, spec));
    }

    @Override
    protected void listen() throws IOException {
        group = provider.openProactorGroup(ProactorGroupConfig.of(loopCount()).withName("server")
                .withReceiveBuffers(spec.options().readBufferSize(), spec.options().receiveBufferCount()));
        List<ProactorLoop> loops = group.loops();
        loops.forEach(loop -> watch(loop, loop.name()));
        switch (spec.model()) {
            case SINGLE, WORKER_POOL -> startAcceptor(open(loops.get(0), spec.bindAddress(), false), List.of(loops.get(0)));
            case MAIN_SUB -> startAcceptor(open(loops.get(0), spec.bindAddress(), false), loops.subList(1, loops.size()));
            case REUSEPORT -> {
                InetSocketAddress address = spec.bindAddress();
                for (ProactorLoop p : loops) {
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

    private void startAcceptor(AsyncServerSocket listener, List<ProactorLoop> targets) {
        new Acceptor(listener, targets).acceptNext();
    }

    /**
     * Accepts forever on one listener, spreading connections over its targets. Each accept carries its target
     * as the attachment: the loop the accepted socket belongs to, and its connection runs on.
     */
    private final class Acceptor implements CompletionHandler<AsyncSocket, ProactorLoop> {
        private final AsyncServerSocket listener;
        private final List<ProactorLoop> targets;
        private int next;

        Acceptor(AsyncServerSocket listener, List<ProactorLoop> targets) {
            this.listener = listener;
            this.targets = targets;
        }

        void acceptNext() {
            ProactorLoop target = targets.get(next);
            next = (next + 1) % targets.size();
            listener.accept(target, target, this);
        }

        @Override
        public void completed(AsyncSocket socket, ProactorLoop loop) {
            serve(socket, loop);
            acceptNext();
        }

        @Override
        public void failed(Throwable exc, ProactorLoop unused) {
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

    /** Serves a connection accepted onto {@code loop}. */
    private void serve(AsyncSocket socket, ProactorLoop loop) {
        ProactorConnection[] self = new ProactorConnection[1];
        try {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, spec.options().tcpNoDelay());
            ProtocolHandler handler = spec.handlers().get();
            BufferPool chunks = chunkPools.computeIfAbsent(loop, l -> new BufferPool(l, CHUNK_SIZE, CHUNKS_POOLED));
            self[0] = new ProactorConnection(socket, loop, handler, nextWorker(), chunks,
                    spec.options(), () -> connections.remove(self[0]));
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot serve a new connection; closing it", e);
            socket.close();
            return;
        }
        self[0].watchSends(sendTimeouts);
        connections.add(self[0]);
        if (closing) {
            self[0].abort(null);
        }
        self[0].start(null);
    }

    @Override
    protected List<? extends EventLoop> loops() {
        DefaultProactorGroup g = group;
        return g == null ? List.of() : g.loops();
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
        DefaultProactorGroup g = group;
        if (g != null) {
            g.terminationFuture().join();
        }
    }
}
