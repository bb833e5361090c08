package io.proactor.tests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback that injects faults into the connections it carries, in process and without
 * privileges: for each connection accepted on {@link #address()} it opens one to the target and forwards
 * bytes both ways on two threads of its own. Faults, for every connection it carries:
 * <ul>
 *   <li>{@link #reset()} (or {@link #resetAfter(long)} forwarded bytes): both sides of every connection are
 *       closed with {@code SO_LINGER} 0, so each peer receives a TCP reset;</li>
 *   <li>{@link #blackHole()}: nothing more is read or forwarded, either way, while the connections stay open;
 *       a peer's data piles up in its socket buffers until its writes stop completing;</li>
 *   <li>a rate limit, given when started: a token bucket that all forwarded bytes, both directions of every
 *       connection, draw from, as one shaped link would.</li>
 * </ul>
 * An end of input is passed on as a shutdown of output, a reset by a peer as a reset to the other peer.
 * {@link #close()} closes every connection and waits for the proxy's threads to end, so a test that closes it
 * leaves no thread or descriptor behind.
 */
public final class FaultProxy implements AutoCloseable {

    private static final AtomicInteger PROXIES = new AtomicInteger();
    private static final int CHUNK = 16 * 1024;

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final TokenBucket bucket;
    private final String name = "fault-proxy-" + PROXIES.incrementAndGet();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Link> links = new ArrayList<>();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;
    private final AtomicLong resetAt = new AtomicLong(Long.MAX_VALUE);
    private boolean blackHoled; // guarded by this
    private boolean closed; // guarded by this

    private FaultProxy(InetSocketAddress target, TokenBucket bucket) throws IOException {
        this.target = target;
        this.bucket = bucket;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = start("accept", this::acceptLoop);
    }

    /** A proxy to {@code target} that forwards at full speed until told to inject a fault. */
    public static FaultProxy start(InetSocketAddress target) throws IOException {
        return new FaultProxy(target, null);
    }

    /**
     * A proxy to {@code target} whose link carries at most {@code bytesPerSecond}, both directions together,
     * after a first burst of {@code burstBytes}.
     */
    public static FaultProxy rateLimited(InetSocketAddress target, long bytesPerSecond, long burstBytes)
            throws IOException {
        if (bytesPerSecond <= 0 || burstBytes < CHUNK) {
            throw new IllegalArgumentException("rate " + bytesPerSecond + " B/s, burst " + burstBytes
                    + " (at least " + CHUNK + ")");
        }
        return new FaultProxy(target, new TokenBucket(bytesPerSecond, burstBytes));
    }

    /** Where clients connect to reach the target through the proxy. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** Bytes forwarded so far, both directions of every connection. */
    public long forwarded() {
        return forwarded.get();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Resets every connection now: each side is closed with {@code SO_LINGER} 0, which sends a TCP reset. */
    public void reset() {
        List<Link> now;
        synchronized (this) {
            now = List.copyOf(links);
        }
        now.forEach(Link::reset);
    }

    /**
     * Resets every connection (as {@link #reset()}) as soon as the proxy has forwarded {@code bytes} in all,
     * so a fault strikes in the middle of a transfer at a point the test chose. Once: connections made after
     * the reset are carried on.
     */
    public void resetAfter(long bytes) {
        resetAt.set(bytes);
        if (forwarded.get() >= bytes && resetAt.compareAndSet(bytes, Long.MAX_VALUE)) {
            reset();
        }
    }

    /**
     * From now on nothing is read from or written to any connection, either way; they stay open. Bytes already
     * read are held back. A connection accepted later is black-holed too.
     */
    public synchronized void blackHole() {
        blackHoled = true;
    }

    /** Closes the listener and every connection, and waits for the proxy's threads to end. */
    @Override
    public void close() throws InterruptedException {
        List<Link> all;
        synchronized (this) {
            closed = true;
            notifyAll();
            all = List.copyOf(links);
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing; nothing to tell
        }
        all.forEach(Link::close);
        List<Thread> toJoin;
        do {
            synchronized (this) {
                toJoin = List.copyOf(threads);
            }
            for (Thread t : toJoin) {
                t.join(TimeUnit.SECONDS.toMillis(TestSupport.STEP_SECONDS));
                if (t.isAlive()) {
                    throw new IllegalStateException(t.getName() + " did not end");
                }
            }
            synchronized (this) {
                threads.removeAll(toJoin);
            }
        } while (!toJoin.isEmpty());
    }

    private synchronized Thread start(String role, Runnable body) {
        Thread t = new Thread(body, name + "-" + role);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        return t;
    }

    private void acceptLoop() {
        while (true) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException closing) {
                return;
            }
            Socket server = new Socket();
            try {
                server.connect(target, (int) TimeUnit.SECONDS.toMillis(TestSupport.STEP_SECONDS));
            } catch (IOException e) {
                Link.abort(client);
                Link.abort(server);
                continue;
            }
            int n = accepted.incrementAndGet();
            Link link = new Link(client, server);
            synchronized (this) {
                if (closed) {
                    link.close();
                    return;
                }
                links.add(link);
                start("link" + n + "-up", () -> pump(link, client, server));
                start("link" + n + "-down", () -> pump(link, server, client));
            }
        }
    }

    /** Forwards from {@code from} to {@code to} until the end of input, a fault, or {@link #close()}. */
    private void pump(Link link, Socket from, Socket to) {
        byte[] buffer = new byte[CHUNK];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                if (!mayForward()) {
                    return;
                }
                int n = in.read(buffer);
                if (n < 0) {
                    link.endOfInput(to);
                    return;
                }
                if (!mayForward()) { // black-holed while this read waited: hold what it read back
                    return;
                }
                if (bucket != null) {
                    bucket.take(n);
                }
                out.write(buffer, 0, n);
                long at = resetAt.get();
                if (forwarded.addAndGet(n) >= at && resetAt.compareAndSet(at, Long.MAX_VALUE)) {
                    reset();
                    return;
                }
            }
        } catch (IOException e) {
            // a peer reset (pass it on), or the proxy closed or reset the link
            link.reset();
        } catch (InterruptedException e) {
            link.reset();
        }
    }

    /** Waits while the proxy is black-holed; false once it is closed. */
    private synchronized boolean mayForward() throws InterruptedException {
        while (blackHoled && !closed) {
            wait();
        }
        return !closed;
    }

    /** One proxied connection: the socket accepted from the client and the one opened to the target. */
    private static final class Link {
        private final Socket client;
        private final Socket server;
        private int inputsEnded; // guarded by this

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        /** One direction's input ended: pass it on; once both have, close the connection. */
        synchronized void endOfInput(Socket to) {
            try {
                to.shutdownOutput();
            } catch (IOException e) {
                reset();
                return;
            }
            if (++inputsEnded == 2) {
                close();
            }
        }

        void reset() {
            abort(client);
            abort(server);
        }

        void close() {
            quietly(client);
            quietly(server);
        }

        static void abort(Socket s) {
            try {
                if (!s.isClosed()) {
                    s.setSoLinger(true, 0);
                }
            } catch (IOException ignored) {
                // closed meanwhile; the close below is all there is left to do
            }
            quietly(s);
        }

        private static void quietly(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to tell
            }
        }
    }

    /** Tokens are bytes; a taker that overdraws waits until the bucket has refilled its debt. */
    private static final class TokenBucket {
        private final double bytesPerNano;
        private final long burst;
        private double tokens;
        private long refilledAt = System.nanoTime();

        TokenBucket(long bytesPerSecond, long burst) {
            this.bytesPerNano = bytesPerSecond / 1e9;
            this.burst = burst;
            this.tokens = burst;
        }

        void take(int bytes) throws InterruptedException {
            long waitNanos;
            synchronized (this) {
                long now = System.nanoTime();
                tokens = Math.min(burst, tokens + (now - refilledAt) * bytesPerNano);
                refilledAt = now;
                tokens -= bytes;
                waitNanos = tokens >= 0 ? 0 : (long) (-tokens / bytesPerNano);
            }
            if (waitNanos > 0) {
                TimeUnit.NANOSECONDS.sleep(waitNanos); // the shaping itself: this link is that slow
            }
        }
    }
}
