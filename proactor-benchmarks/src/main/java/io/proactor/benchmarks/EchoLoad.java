package io.proactor.benchmarks;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ThreadingModel;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The load generator: N connections, each keeping {@code depth} messages of {@code size} bytes in flight,
 * every echoed byte checked against what was sent (a pattern computed from the connection number and the
 * stream offset, so nothing is stored), and the latency of every message (send to last echoed byte) recorded
 * in an HdrHistogram during the measurement window. With an {@link HttpGet} it loads an HTTP server instead:
 * keep-alive GETs of one file, every response's status, length and body checked.
 *
 * <p>It runs on the library's io_uring engine, one I/O thread, so the server rather than the load is what is
 * measured (nio2 when io_uring cannot run here: {@link #engine()} says which). One instance can run many loads
 * one after another, which keeps its JIT-compiled code warm.
 *
 * <p><b>Threading.</b> {@link #run} and {@link #openIdle} block the calling thread; the connections' callbacks
 * run on the client's proactor thread. Not for concurrent use by several callers.
 */
public final class EchoLoad implements AutoCloseable {

    /** Latencies above this are recorded as this (a stalled server shows as a wall at the top, not a crash). */
    private static final long HIGHEST_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final long CONNECT_TIMEOUT_SECONDS = 10;
    /** Connects in flight at once while opening idle connections: below common listen backlogs. */
    private static final int CONNECTS_IN_FLIGHT = 100;
    /** Aborts not yet reported closed, at most: well below the client's completion queue. */
    private static final int ABORTS_PENDING = 256;

    /**
     * What one load run does.
     *
     * @param connections concurrent connections, each its own stream of messages
     * @param size        bytes per echo message (not used for HTTP)
     * @param depth       messages (requests) in flight per connection (1: ping-pong; above 1, HTTP pipelining)
     * @param warmup      load before the measurement window (nothing recorded)
     * @param measure     the measurement window
     */
    public record Settings(InetSocketAddress server, int connections, int size, int depth, Duration warmup,
                           Duration measure) {
        public Settings {
            if (server == null || server.isUnresolved()) {
                throw new IllegalArgumentException("server address is missing or unresolved: " + server);
            }
            check("connections", connections, 1, 100_000);
            check("size", size, 1, 1 << 20);
            check("depth", depth, 1, 4096);
            if (warmup == null || warmup.isNegative()) {
                throw new IllegalArgumentException("warm-up must be zero or more, was " + warmup);
            }
            if (measure == null || measure.toMillis() < 1) {
                throw new IllegalArgumentException("measurement must last at least 1 ms, was " + measure);
            }
        }

        private static void check(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was "
                        + value);
            }
        }
    }

    /**
     * What a response body must hold, byte for byte: the bytes of a small file, or a pattern computed from the
     * offset for a file too large to keep in memory (see {@link #pattern(int, long)}).
     */
    public interface Body {
        long length();

        /** The byte at {@code offset} (0 &le; offset &lt; length). */
        byte at(long offset);

        /** The body that is exactly {@code bytes}. */
        static Body of(byte[] bytes) {
            Objects.requireNonNull(bytes, "the expected body is null");
            return new Body() {
                @Override
                public long length() {
                    return bytes.length;
                }

                @Override
                public byte at(long offset) {
                    return bytes[(int) offset];
                }
            };
        }

        /**
         * {@code length} bytes of the load's pattern number {@code stream}: what a file written from it holds
         * (the demo's large files), checkable without a copy in memory.
         */
        static Body pattern(int stream, long length) {
            if (length < 0) {
                throw new IllegalArgumentException("length must be >= 0, was " + length);
            }
            return new Body() {
                @Override
                public long length() {
                    return length;
                }

                @Override
                public byte at(long offset) {
                    return EchoLoad.pattern(stream, offset);
                }
            };
        }
    }

    /**
     * The HTTP request of a load: {@code GET path} with keep-alive, answered by {@code 200} and exactly
     * {@code body}.
     */
    public record HttpGet(String path, Body body) {
        /** A GET answered by exactly {@code body}. */
        public HttpGet(String path, byte[] body) {
            this(path, Body.of(body));
        }

        public HttpGet {
            if (path == null || !path.startsWith("/") || !path.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("the path must start with '/' and hold only visible ASCII "
                        + "(percent-encode the rest), was " + path);
            }
            if (body == null) {
                throw new IllegalArgumentException("the expected body is null");
            }
        }

        byte[] request() {
            return ("GET " + path + " HTTP/1.1\r\nHost: load\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    /**
     * Told on the calling thread of {@link #run} just after the measurement window opens and before it closes,
     * and, between the two, of the latencies of each stretch of the window (about every half second).
     */
    public interface Window {
        void opened();

        void closing();

        /**
         * The latencies recorded from the previous call (or the window's opening) until {@code secondsIn} seconds
         * into the window: for latency over time. The histogram is only lent for the call.
         */
        default void interval(double secondsIn, Histogram latencies) {
        }
    }

    /** A window that nobody watches. */
    public static final Window UNWATCHED = new Window() {
        @Override
        public void opened() {
        }

        @Override
        public void closing() {
        }
    };

    /**
     * The measurement window's outcome.
     *
     * @param requests   echoes (responses) completed and verified inside the window
     * @param bytes      echoed bytes (response body bytes) received and verified inside the window
     * @param errors     mismatched bytes, wrong responses or connections lost during the whole run (warm-up
     *                   included)
     * @param firstError what went wrong first, or {@code null}
     * @param latency    nanoseconds from sending a message to receiving the last byte of its echo (response)
     */
    public record Result(long requests, long bytes, double seconds, long errors, String firstError,
                         Histogram latency) {
        public double requestsPerSecond() {
            return requests / seconds;
        }

        public double bytesPerSecond() {
            return bytes / seconds;
        }

        /** The latency at {@code percentile} (0..100) in microseconds. */
        public double latencyMicros(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private final ProtocolClient client;
    private final Recorder latencies = new Recorder(HIGHEST_LATENCY_NANOS, 3);

    /**
     * The counters of one set of connections. Each run (and each idle set) has its own, because connections
     * closed at the end of one run report their closing later, on the proactor thread, possibly while the next
     * run has begun.
     */
    private static final class Batch {
        final LongAdder requests = new LongAdder();
        final LongAdder bytes = new LongAdder();
        final AtomicLong errors = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();
        /** Connections of this batch that have closed, for whatever reason. */
        final AtomicInteger closed = new AtomicInteger();
        /** Set before we close the connections ourselves, so that their closing is not an error. */
        volatile boolean stopping;

        void error(String message) {
            errors.incrementAndGet();
            firstError.compareAndSet(null, message);
        }

        void abortAll(List<Connection> connections) throws InterruptedException {
            stopping = true;
            // Every abort ends in completions (cancelled receive, close); thousands at once overflow the client's
            // io_uring completion queue, which Netty survives but warns about: keep a bounded number pending.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CONNECT_TIMEOUT_SECONDS);
            for (int i = 0; i < connections.size(); i++) {
                while (i - closed.get() >= ABORTS_PENDING && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                connections.get(i).abort(null);
            }
        }
    }

    /** Starts the load's client: io_uring, or the best engine with one log line saying why not. */
    public EchoLoad() {
        this(Engines.prefer("io_uring"));
    }

    EchoLoad(Engine engine) {
        this.client = ProtocolClient.builder().engine(engine).model(ThreadingModel.SINGLE)
                .connectTimeout(Duration.ofSeconds(CONNECT_TIMEOUT_SECONDS)).build();
    }

    /** The engine the load runs on. */
    public Engine engine() {
        return client.engine();
    }

    /**
     * Connects, loads for warm-up plus measurement, closes the connections, and returns the window's figures.
     * {@code progress} receives a status line about twice a second (a {@link ProgressLine}), or may be null.
     *
     * @throws IOException when the connections cannot be opened (nothing is left open)
     */
    public Result run(Settings settings, Window window, ProgressLine progress) throws IOException, InterruptedException {
        return run(settings, (batch, i) -> new Session(batch, i, settings.size(), settings.depth()), window, progress);
    }

    /**
     * Like {@link #run(Settings, Window, ProgressLine)}, with HTTP requests {@code get} instead of echo messages.
     */
    public Result run(Settings settings, HttpGet get, Window window, ProgressLine progress)
            throws IOException, InterruptedException {
        Objects.requireNonNull(get, "'get' is null");
        return run(settings, List.of(get), window, progress);
    }

    /**
     * Like {@link #run(Settings, HttpGet, Window, ProgressLine)}, connection {@code i} asking for
     * {@code gets.get(i % gets.size())}: several files loaded at once, e.g. downloads of different large files.
     */
    public Result run(Settings settings, List<HttpGet> gets, Window window, ProgressLine progress)
            throws IOException, InterruptedException {
        if (gets == null || gets.isEmpty() || gets.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("give at least one request, and no null: " + gets);
        }
        List<HttpGet> all = List.copyOf(gets);
        return run(settings, (batch, i) -> new HttpSession(batch, i, all.get(i % all.size()), settings.depth()),
                window, progress);
    }

    private Result run(Settings settings, SessionFactory sessions, Window window, ProgressLine progress)
            throws IOException, InterruptedException {
        Batch batch = new Batch();
        List<Connection> open = connect(settings.server(), settings.connections(), batch, sessions);
        try {
            await(batch, progress, "warm-up", settings.warmup(), null, window);
            Histogram latency = new Histogram(HIGHEST_LATENCY_NANOS, 3);
            latencies.reset();
            long startCount = batch.requests.sum();
            long startBytes = batch.bytes.sum();
            long start = System.nanoTime();
            window.opened();
            await(batch, progress, "measure", settings.measure(), latency, window);
            window.closing();
            long count = batch.requests.sum() - startCount;
            long bytes = batch.bytes.sum() - startBytes;
            double seconds = (System.nanoTime() - start) / 1e9;
            Histogram last = latencies.getIntervalHistogram();
            latency.add(last);
            window.interval(seconds, last);
            if (progress != null) {
                progress.finish();
            }
            return new Result(count, bytes, seconds, batch.errors.get(), batch.firstError.get(), latency);
        } finally {
            batch.abortAll(open);
        }
    }

    /**
     * Lets the load run for {@code length}, updating the progress line; when {@code latency} is given, moves
     * the recorded latencies into it as it goes (and shows its p99), telling {@code window} of each interval.
     */
    private void await(Batch batch, ProgressLine progress, String phase, Duration length, Histogram latency,
                       Window window) throws InterruptedException {
        long begin = System.nanoTime();
        long end = begin + length.toNanos();
        long lastCount = batch.requests.sum();
        long lastTime = begin;
        for (long now = begin; now < end; ) {
            Thread.sleep(Math.max(1, Math.min(500, TimeUnit.NANOSECONDS.toMillis(end - now))));
            now = System.nanoTime();
            long count = batch.requests.sum();
            double rate = (count - lastCount) / ((now - lastTime) / 1e9);
            lastCount = count;
            lastTime = now;
            String p99 = "";
            if (latency != null) {
                Histogram interval = latencies.getIntervalHistogram();
                latency.add(interval);
                window.interval((now - begin) / 1e9, interval);
                p99 = String.format("  p99 %,.0f µs", latency.getValueAtPercentile(99) / 1000.0);
            }
            if (progress != null) {
                progress.update(String.format("%s %.1f/%.1f s  %,.0f req/s%s  errors %d", phase,
                        (now - begin) / 1e9, length.toMillis() / 1000.0, rate, p99, batch.errors.get()));
            }
        }
    }

    /** Connections that send nothing, held open until closed; see {@link #openIdle}. */
    public static final class IdleConnections implements AutoCloseable {
        private final Batch batch;
        private final List<Connection> connections;

        private IdleConnections(Batch batch, List<Connection> connections) {
            this.batch = batch;
            this.connections = connections;
        }

        /** Bytes received or connections lost so far (an echo server sends nothing unasked). */
        public long errors() {
            return batch.errors.get();
        }

        /** What went wrong first, or {@code null}. */
        public String firstError() {
            return batch.firstError.get();
        }

        /** Aborts them all (a reset: the server sees the end at once). */
        @Override
        public void close() throws InterruptedException {
            batch.abortAll(connections);
        }
    }

    /**
     * Opens {@code count} connections that send nothing, for weighing what an idle connection costs the server.
     *
     * @throws IOException when they cannot all be opened (nothing is left open)
     */
    public IdleConnections openIdle(InetSocketAddress server, int count) throws IOException, InterruptedException {
        Batch batch = new Batch();
        return new IdleConnections(batch, connect(server, count, batch, (b, i) -> new Idle(b)));
    }

    private interface SessionFactory {
        ProtocolHandler create(Batch batch, int connection);
    }

    private List<Connection> connect(InetSocketAddress server, int count, Batch batch, SessionFactory sessions)
            throws IOException, InterruptedException {
        List<CompletableFuture<Connection>> pending = new ArrayList<>(count);
        Semaphore inFlight = new Semaphore(CONNECTS_IN_FLIGHT);
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            CompletableFuture<Connection> f = client.connect(server, sessions.create(batch, i));
            f.whenComplete((c, e) -> inFlight.release());
            pending.add(f);
        }
        List<Connection> open = new ArrayList<>(count);
        IOException failure = null;
        for (CompletableFuture<Connection> f : pending) {
            try {
                open.add(f.get(CONNECT_TIMEOUT_SECONDS + 5, TimeUnit.SECONDS));
            } catch (ExecutionException | TimeoutException e) {
                if (failure == null) {
                    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                    failure = new IOException("cannot connect to " + server + " (" + open.size() + " of " + count
                            + " connections open): " + cause, cause);
                }
            }
        }
        if (failure != null) {
            batch.abortAll(open);
            throw failure;
        }
        return open;
    }

    /** The pattern byte at {@code offset} of connection {@code connection}'s stream. */
    static byte pattern(int connection, long offset) {
        return (byte) (connection * 31 + offset * 7 + (offset >>> 8));
    }

    /**
     * One loaded connection: keeps {@code depth} messages (requests) in flight and records the latency of each
     * answer. Its callbacks run on the client's single proactor thread.
     */
    private abstract class LoadSession implements ProtocolHandler {
        final Batch batch;
        final int id;
        /** Send times of the messages in flight, in order (answers come back in the order sent). */
        private final long[] sentAt;
        private long sent;
        long received;
        /** Set when we abort it for a wrong answer: its closing is then not a second error. */
        boolean abandoned;

        LoadSession(Batch batch, int id, int depth) {
            this.batch = batch;
            this.id = id;
            this.sentAt = new long[depth];
        }

        /** Writes one message. */
        abstract void send(Connection c);

        /** How far it got, for the error of a connection the server closed. */
        abstract String progress();

        @Override
        public void onOpen(Connection c) {
            for (int i = 0; i < sentAt.length; i++) {
                sendOne(c);
            }
        }

        final void sendOne(Connection c) {
            sentAt[(int) (sent++ % sentAt.length)] = System.nanoTime();
            send(c);
        }

        /** The oldest message in flight is answered, and verified: record it and send the next. */
        final void answered(Connection c) {
            long latency = System.nanoTime() - sentAt[(int) (received++ % sentAt.length)];
            latencies.recordValue(Math.min(latency, HIGHEST_LATENCY_NANOS));
            batch.requests.increment();
            sendOne(c);
        }

        final void fail(Connection c, String message) {
            batch.error(message);
            abandoned = true;
            c.abort(null);
        }

        @Override
        public void onClose(Connection c, Throwable cause) {
            batch.closed.incrementAndGet();
            if (!batch.stopping && !abandoned) {
                batch.error("connection " + id + " closed by the server after " + progress()
                        + (cause == null ? "" : ": " + cause));
            }
        }
    }

    /** An echo connection: each message a run of the connection's pattern, each echoed byte checked. */
    private final class Session extends LoadSession {
        private final int size;
        private final ByteBuffer out;
        private long sentBytes;
        private long receivedBytes;

        Session(Batch batch, int id, int size, int depth) {
            super(batch, id, depth);
            this.size = size;
            this.out = ByteBuffer.allocate(size);
        }

        @Override
        void send(Connection c) {
            out.clear();
            for (int i = 0; i < size; i++) {
                out.put(pattern(id, sentBytes + i));
            }
            sentBytes += size;
            c.write(out.flip());
        }

        @Override
        String progress() {
            return receivedBytes + " bytes";
        }

        @Override
        public void onRead(Connection c, ByteBuffer data) {
            batch.bytes.add(data.remaining()); // a mismatch fails the run, so counting them all up front is fine
            while (data.hasRemaining()) {
                byte b = data.get();
                if (b != pattern(id, receivedBytes)) {
                    fail(c, "echo mismatch on connection " + id + " at byte " + receivedBytes + ": expected "
                            + pattern(id, receivedBytes) + ", got " + b);
                    return;
                }
                receivedBytes++;
                if (receivedBytes % size == 0) {
                    answered(c);
                }
            }
        }
    }

    /**
     * One connection loaded with HTTP GETs: {@code depth} requests in flight; each response's head is parsed
     * (status 200, {@code Content-Length} equal to the file's) and its body compared byte for byte.
     */
    private final class HttpSession extends LoadSession {
        private static final int MAX_HEAD = 8192;
        private final String path;
        private final byte[] request;
        private final Body body;
        private final byte[] head = new byte[MAX_HEAD];
        private int headLength;
        private long bodyOffset = -1; // -1: reading a head

        HttpSession(Batch batch, int id, HttpGet get, int depth) {
            super(batch, id, depth);
            this.path = get.path();
            this.request = get.request();
            this.body = get.body();
        }

        @Override
        void send(Connection c) {
            c.write(ByteBuffer.wrap(request));
        }

        @Override
        String progress() {
            return received + " responses";
        }

        @Override
        public void onRead(Connection c, ByteBuffer data) {
            while (data.hasRemaining() && !abandoned) {
                if (bodyOffset < 0) {
                    readHead(c, data.get());
                    continue;
                }
                int n = (int) Math.min(data.remaining(), body.length() - bodyOffset);
                for (int i = 0; i < n; i++) {
                    byte got = data.get();
                    byte expected = body.at(bodyOffset + i);
                    if (got != expected) {
                        fail(c, "response " + received + " on connection " + id + ": body of " + path
                                + " differs from the file at byte " + (bodyOffset + i) + " (expected " + expected
                                + ", got " + got + ")");
                        return;
                    }
                }
                bodyOffset += n;
                batch.bytes.add(n);
                if (bodyOffset == body.length()) {
                    responseDone(c);
                }
            }
        }

        private void readHead(Connection c, byte b) {
            if (headLength == MAX_HEAD) {
                fail(c, "response head over " + MAX_HEAD + " bytes on connection " + id);
                return;
            }
            head[headLength++] = b;
            if (b != '\n' || headLength < 4 || head[headLength - 2] != '\r' || head[headLength - 3] != '\n') {
                return;
            }
            String text = new String(head, 0, headLength, StandardCharsets.ISO_8859_1);
            headLength = 0;
            if (!text.startsWith("HTTP/1.1 200 ")) {
                fail(c, "response " + received + " on connection " + id + ": " + text.lines().findFirst().orElse(""));
                return;
            }
            long length = -1;
            for (String line : text.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("content-length")) {
                    length = Long.parseLong(line.substring(colon + 1).trim());
                }
            }
            if (length != body.length()) {
                fail(c, "response " + received + " on connection " + id + ": Content-Length " + length + ", the file "
                        + "has " + body.length() + " bytes");
                return;
            }
            bodyOffset = 0;
            if (body.length() == 0) {
                responseDone(c);
            }
        }

        private void responseDone(Connection c) {
            bodyOffset = -1;
            answered(c);
        }
    }

    /** An idle connection: sends nothing, expects nothing. */
    private static final class Idle implements ProtocolHandler {
        private final Batch batch;

        Idle(Batch batch) {
            this.batch = batch;
        }

        @Override
        public void onRead(Connection c, ByteBuffer data) {
            batch.error("an idle connection received " + data.remaining() + " bytes");
        }

        @Override
        public void onClose(Connection c, Throwable cause) {
            batch.closed.incrementAndGet();
            if (!batch.stopping) {
                batch.error("an idle connection was closed by the server" + (cause == null ? "" : ": " + cause));
            }
        }
    }

    @Override
    public void close() {
        client.close();
    }

    /**
     * For scripts ({@code bench/echo-compare.py}). Usage: {@code EchoLoad PORT CONNECTIONS SIZE DEPTH WARMUP_S
     * MEASURE_S}. Prints {@code measure-start epochMs=..} when the window opens and at the end
     * {@code result roundTrips=N seconds=S errors=E p50us=.. p99us=.. p999us=..}; a live progress line goes to
     * stderr when it is a terminal. Exit status 1 on any mismatch or error, 2 on bad arguments.
     */
    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            if (args.length != 6) {
                throw new IllegalArgumentException("expected 6 arguments, got " + args.length);
            }
            settings = new Settings(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])),
                    Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Duration.ofSeconds(Long.parseLong(args[4])), Duration.ofSeconds(Long.parseLong(args[5])));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: EchoLoad PORT CONNECTIONS SIZE DEPTH WARMUP_S MEASURE_S");
            System.exit(2);
            return;
        }
        Result r;
        try (EchoLoad load = new EchoLoad()) {
            r = load.run(settings, new Window() {
                @Override
                public void opened() {
                    System.out.println("measure-start epochMs=" + System.currentTimeMillis());
                    System.out.flush();
                }

                @Override
                public void closing() {
                }
            }, ProgressLine.forTerminal(System.err));
        }
        System.out.printf("result roundTrips=%d seconds=%.3f errors=%d p50us=%.1f p99us=%.1f p999us=%.1f%n",
                r.requests(), r.seconds(), r.errors(), r.latencyMicros(50), r.latencyMicros(99), r.latencyMicros(99.9));
        if (r.firstError() != null) {
            System.err.println("first error: " + r.firstError());
        }
        System.exit(r.errors() == 0 ? 0 : 1);
    }
}
