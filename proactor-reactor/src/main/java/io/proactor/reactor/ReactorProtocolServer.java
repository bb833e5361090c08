package io.proactor.reactor;

import io.proactor.Engine;
import io.proactor.core.EventLoop;
import io.proactor.core.ListenBacklog;
import io.proactor.core.LoopProtocolServer;
import io.proactor.core.WorkerPool;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ServerSpec;
import io.proactor.protocol.ThreadingModel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs protocol handlers on {@link ReactorLoop}s, in each threading model:
 * <ul>
 *   <li>SINGLE: loop 0 accepts, does all I/O and runs every callback;</li>
 *   <li>WORKER_POOL: as SINGLE, with callbacks on a {@link WorkerPool};</li>
 *   <li>MAIN_SUB: loop 0 only accepts, and hands each connection to the next of loops 1..N;</li>
 *   <li>REUSEPORT: each of N loops has its own {@code SO_REUSEPORT} listener and keeps what it accepts.</li>
 * </ul>
 * Loop threads are named {@code server-reactor-<i>}, workers {@code server-reactor-worker-<i>}.
 *
 * <p><b>Threading.</b> Any thread may call any method; {@link #close()} waits for every thread to end.
 */
final class ReactorProtocolServer extends LoopProtocolServer {

    private static final Logger LOG = LoggerFactory.getLogger(ReactorProtocolServer.class);
    /** Connections accepted per readiness event, so one busy listener cannot starve the loop's connections. */
    private static final int ACCEPTS_PER_WAKEUP = 64;

    private final List<ReactorLoop> loops = new ArrayList<>();

    private ReactorProtocolServer(Engine engine, ServerSpec spec) {
        super(engine, spec);
    }

    static ProtocolServer start(Engine engine, ServerSpec spec) throws IOException {
        return started(new ReactorProtocolServer(engine, spec));
    }

    @Override
    protected void listen() throws IOException {
        for (int i = 0; i < loopCount(); i++) {
            ReactorLoop loop = new ReactorLoop("server-" + engine.name() + "-" + i, spec.options().readBufferSize());
            loops.add(loop);
            watch(loop, loop.name());
        }
        switch (spec.model()) {
            case SINGLE, WORKER_POOL -> listenOn(loops.get(0), spec.bindAddress(), false, List.of(loops.get(0)));
            case MAIN_SUB -> listenOn(loops.get(0), spec.bindAddress(), false, loops.subList(1, loops.size()));
            case REUSEPORT -> {
                InetSocketAddress address = spec.bindAddress();
                for (ReactorLoop loop : loops) {
                    // port 0 picks a port once; the other listeners join that port
                    address = listenOn(loop, address, true, List.of(loop));
                }
            }
        }
    }

    /** Binds a listener here, on the caller's thread (so bind errors reach the caller), and hands it to {@code loop}. */
    private InetSocketAddress listenOn(ReactorLoop loop, InetSocketAddress address, boolean reusePort,
                                       List<ReactorLoop> targets) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        InetSocketAddress bound;
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (reusePort) {
                listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            listener.bind(address, ListenBacklog.forListen(spec.backlog())); // the JDK's default would be 50
            listener.configureBlocking(false);
            bound = (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        bound(bound);
        Acceptor acceptor = new Acceptor(listener, loop, targets);
        try {
            loop.execute(acceptor::register);
        } catch (RejectedExecutionException e) {
            listener.close();
            throw new IOException("the server's loop ended before it could listen", e);
        }
        return bound;
    }

    /** Accepts on one listener, spreading new connections over its target loops round robin. */
    private final class Acceptor implements ReactorHandle {
        private final ServerSocketChannel listener;
        private final ReactorLoop loop;
        private final List<ReactorLoop> targets;
        private SelectionKey key;
        private int next;

        Acceptor(ServerSocketChannel listener, ReactorLoop loop, List<ReactorLoop> targets) {
            this.listener = listener;
            this.loop = loop;
            this.targets = targets;
        }

        void register() {
            try {
                key = loop.register(listener, SelectionKey.OP_ACCEPT, this);
            } catch (IOException e) {
                closeListener();
            }
        }

        @Override
        public void ready(int readyOps) {
            for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
                SocketChannel channel;
                try {
                    channel = listener.accept();
                } catch (IOException e) {
                    // e.g. EMFILE: keep the server alive, but do not spin on a listener that stays ready
                    LOG.warn("accept on {} failed; retrying in 100 ms", localAddress(), e);
                    key.interestOps(0);
                    loop.schedule(() -> {
                        if (key.isValid()) {
                            key.interestOps(SelectionKey.OP_ACCEPT);
                        }
                    }, 100, TimeUnit.MILLISECONDS);
                    return;
                }
                if (channel == null) {
                    return;
                }
                ReactorLoop target = targets.get(next);
                next = (next + 1) % targets.size();
                if (target == loop) {
                    serve(channel, target);
                } else {
                    try {
                        target.execute(() -> serve(channel, target));
                    } catch (RejectedExecutionException e) {
                        closeQuietly(channel);
                    }
                }
            }
        }

        @Override
        public void loopClosing() {
            closeListener();
        }

        private void closeListener() {
            closeQuietly(listener);
        }
    }

    /** Sets up an accepted connection on its loop; loop thread only. */
    private void serve(SocketChannel channel, ReactorLoop loop) {
        ReactorConnection[] self = new ReactorConnection[1];
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, spec.options().tcpNoDelay());
            ProtocolHandler handler = spec.handlers().get();
            self[0] = new ReactorConnection(channel, loop, handler, nextWorker(),
                    spec.options(), () -> connections.remove(self[0]));
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot serve a new connection; closing it", e);
            closeQuietly(channel);
            return;
        }
        if (closing) {
            closeQuietly(channel);
            return;
        }
        self[0].watchSends(sendTimeouts);
        connections.add(self[0]);
        try {
            self[0].start(null, null);
        } catch (IOException shuttingDown) {
            connections.remove(self[0]);
            closeQuietly(channel);
        }
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing releases the descriptor even when it reports an error
        }
    }

    /** The loops that accept: loop 0, or every loop in REUSEPORT (for tests). */
    List<ReactorLoop> acceptingLoops() {
        return spec.model() == ThreadingModel.REUSEPORT ? List.copyOf(loops) : List.of(loops.get(0));
    }

    @Override
    protected List<? extends EventLoop> loops() {
        return List.copyOf(loops);
    }

    @Override
    protected void stopLoops() {
        // Each loop closes its listener and connections as it ends (handlers see onClose), then its selector.
        loops.forEach(ReactorLoop::shutdown);
        loops.forEach(ReactorLoop::close);
    }

    @Override
    protected void awaitLoopsStopped() {
        loops.forEach(ReactorLoop::close);
    }
}
