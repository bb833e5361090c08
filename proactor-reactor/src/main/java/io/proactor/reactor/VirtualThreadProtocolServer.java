package io.proactor.reactor;

import io.proactor.Engine;
import io.proactor.core.AbstractProtocolServer;
import io.proactor.core.ListenBacklog;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ServerSpec;
import io.proactor.protocol.ThreadingModel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread-per-connection on virtual threads. An acceptor virtual thread blocks in {@code accept} on each
 * listener (REUSEPORT: {@code threads} listeners sharing the port with {@code SO_REUSEPORT}; every other model:
 * one listener) and gives each connection its own reader and writer virtual threads
 * ({@code server-virtual-threads-conn-<n>}, {@code ...-writer}). The callbacks of a connection run on its
 * reader thread whatever the model: the JDK's scheduler spreads virtual threads over its carrier threads, so
 * there are no loops or workers to choose between.
 *
 * <p><b>Threading.</b> Any thread may call any method; {@link #close()} waits for every virtual thread to end.
 */
final class VirtualThreadProtocolServer extends AbstractProtocolServer {

    private static final Logger LOG = LoggerFactory.getLogger(VirtualThreadProtocolServer.class);

    private final String prefix;
    private final VirtualThreadGroup threads;
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final AtomicLong connectionIds = new AtomicLong();
    /** Counted down by {@link #close}: the send-timeout sweeper ends. */
    private final CountDownLatch stopSweeping = new CountDownLatch(1);

    private VirtualThreadProtocolServer(Engine engine, ServerSpec spec, boolean virtual) {
        super(engine, spec);
        this.threads = new VirtualThreadGroup(virtual);
        this.prefix = "server-" + engine.name();
    }

    static ProtocolServer start(Engine engine, ServerSpec spec) throws IOException {
        return start(engine, spec, true);
    }

    /** Starts a server whose threads are virtual, or platform threads when {@code virtual} is false. */
    static ProtocolServer start(Engine engine, ServerSpec spec, boolean virtual) throws IOException {
        return started(new VirtualThreadProtocolServer(engine, spec, virtual));
    }

    @Override
    protected void listen() throws IOException {
        int count = spec.model() == ThreadingModel.REUSEPORT ? spec.threads() : 1;
        InetSocketAddress address = spec.bindAddress();
        for (int i = 0; i < count; i++) {
            ServerSocketChannel listener = ServerSocketChannel.open();
            listeners.add(listener);
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (spec.model() == ThreadingModel.REUSEPORT) {
                listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            listener.bind(address, ListenBacklog.forListen(spec.backlog())); // the JDK's default would be 50
            // port 0 picks a port once; further REUSEPORT listeners join that port
            address = (InetSocketAddress) listener.getLocalAddress();
            bound(address);
        }
        for (int i = 0; i < listeners.size(); i++) {
            ServerSocketChannel listener = listeners.get(i);
            threads.start(prefix + "-accept-" + i, () -> acceptLoop(listener));
        }
        if (sendTimeouts.isOn()) {
            threads.start(prefix + "-send-timeouts", this::sweepSends);
        }
    }

    /** The send timeout's sweeper: there is no loop whose timer could sweep, so a thread of its own does. */
    private void sweepSends() {
        try {
            while (!stopSweeping.await(sendTimeouts.periodNanos(), TimeUnit.NANOSECONDS)) {
                sendTimeouts.sweep(connections);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // nothing interrupts the group's threads; ends the sweeper
        }
    }

    private void acceptLoop(ServerSocketChannel listener) {
        while (listener.isOpen()) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (ClosedChannelException closed) {
                return; // close() closed the listener
            } catch (IOException e) {
                // e.g. EMFILE: keep the server alive, but do not spin while descriptors are short
                LOG.warn("accept on {} failed; retrying in 100 ms", localAddress(), e);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    return;
                }
                continue;
            }
            serve(channel);
        }
    }

    private void serve(SocketChannel channel) {
        String name = prefix + "-conn-" + connectionIds.incrementAndGet();
        VirtualThreadConnection[] self = new VirtualThreadConnection[1];
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, spec.options().tcpNoDelay());
            ProtocolHandler handler = spec.handlers().get();
            self[0] = new VirtualThreadConnection(channel, handler, spec.options(), threads, name,
                    () -> connections.remove(self[0]));
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot serve a new connection; closing it", e);
            ReactorProtocolServer.closeQuietly(channel);
            return;
        }
        synchronized (this) { // no connection is added once close began
            if (closing) {
                ReactorProtocolServer.closeQuietly(channel);
                return;
            }
            connections.add(self[0]);
        }
        try {
            threads.start(name, () -> self[0].runReader(null));
        } catch (RejectedExecutionException e) {
            connections.remove(self[0]);
            ReactorProtocolServer.closeQuietly(channel);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closing = true;
        }
        stopSweeping.countDown();
        listeners.forEach(ReactorProtocolServer::closeQuietly); // wakes the acceptors
        threads.awaitAll(() -> connections.forEach(c -> c.abort(null)));
    }
}
