package io.proactor.samples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.protocol.ThreadingModel;
import io.proactor.tests.LeakCheck;
import io.proactor.tests.ProcessResources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * File-server soak on every engine: 16 clients (virtual threads, raw sockets) open sessions back to back
 * for {@code -Dproactor.soak.seconds} (default 5 here) after a 1 s warm-up, each one of: keep-alive requests
 * (GET, HEAD, byte ranges) checked byte for byte; four pipelined requests; a large response abandoned halfway
 * (an orderly close or a reset); half a request line, then gone. Files below and above the direct-I/O
 * threshold, so both send paths run. Asserts every checked response correct, no client failure, and the
 * process's descriptors, threads, direct memory and heap flat between quiet points before and after.
 */
class HttpSoakTest {

    static {
        HttpTestSupport.probeEngines();
    }

    static final long SECONDS = Long.getLong("proactor.soak.seconds", 5);
    static final int CLIENTS = 16;
    static final int[] SIZES = {1024, 64 * 1024, 300 * 1024, 2 * 1024 * 1024};
    static final long THRESHOLD = 1024 * 1024;

    enum Kind { KEEP_ALIVE, PIPELINED, ABANDONED, HALF_REQUEST }

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @TempDir
    Path base;

    private final List<byte[]> files = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final Map<Kind, LongAdder> sessions = new EnumMap<>(Kind.class);
    private final LongAdder responsesChecked = new LongAdder();

    /** The engines to soak: {@code -Dproactor.soak.engines=io_uring} narrows a long run down to one. */
    static Stream<Arguments> soakedEngines() {
        List<String> wanted = List.of(
                System.getProperty("proactor.soak.engines", "io_uring,nio2,reactor,virtual-threads").split(","));
        return HttpTestSupport.engines().filter(a -> wanted.contains((String) a.get()[0]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("soakedEngines")
    void servesCorrectlyUnderChurnAndHoldsResourcesFlat(String engine, ThreadingModel ignored) throws Exception {
        Path root = Files.createDirectories(base.resolve("www"));
        for (int i = 0; i < SIZES.length; i++) {
            byte[] content = HttpTestSupport.random(SIZES[i], i);
            Files.write(root.resolve("f" + i), content);
            files.add(content);
        }
        for (Kind k : Kind.values()) {
            sessions.put(k, new LongAdder());
        }
        HttpServerConfig config = HttpServerConfig.of(root).withDirectIoThreshold(THRESHOLD);
        try (HttpFileServer server = HttpTestSupport.start(engine, ThreadingModel.MAIN_SUB, config)) {
            run(server, 1, 1);
            ProcessResources before = ProcessResources.atQuietPoint(server::connectionCount);
            long checkedBefore = responsesChecked.sum();
            run(server, SECONDS, 2);
            ProcessResources after = ProcessResources.atQuietPoint(server::connectionCount);
            System.out.printf("http soak %s: %d s, %d responses checked (sessions with warm-up: %s); before %s; after %s%n",
                    engine, SECONDS, responsesChecked.sum() - checkedBefore, sessions, before, after);
            assertTrue(failures.isEmpty(), failures.size() + " sessions failed, e.g. " + failures.stream().limit(5).toList());
            for (Kind k : Kind.values()) {
                assertTrue(sessions.get(k).sum() > 0, "no " + k + " session ran");
            }
            after.assertFlatSince(before);
        }
    }

    private void run(HttpFileServer server, long seconds, long seedBase) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong ids = new AtomicLong(seedBase << 40);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < deadline) {
                    SplittableRandom random = new SplittableRandom(ids.incrementAndGet());
                    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
                    try (HttpTestSupport.RawClient c = new HttpTestSupport.RawClient(server)) {
                        session(c, kind, random);
                        sessions.get(kind).increment();
                    } catch (Throwable t) {
                        failures.add(kind + ": " + t);
                    }
                }
            }));
        }
        for (Thread t : clients) {
            t.join(TimeUnit.SECONDS.toMillis(seconds + 60));
            assertTrue(!t.isAlive(), "a client session hangs");
        }
    }

    private void session(HttpTestSupport.RawClient c, Kind kind, SplittableRandom random) throws IOException {
        switch (kind) {
            case KEEP_ALIVE -> {
                for (int n = 1 + random.nextInt(6); n > 0; n--) {
                    int file = random.nextInt(SIZES.length);
                    int choice = random.nextInt(3);
                    if (choice == 0) {
                        check(c.request(HttpTestSupport.get("/f" + file)), files.get(file));
                    } else if (choice == 1) {
                        HttpTestSupport.Response r = c.send("HEAD /f" + file + " HTTP/1.1\r\nHost: x\r\n\r\n").read(true);
                        assertEquals(200, r.status());
                        assertEquals(String.valueOf(SIZES[file]), r.header("content-length"));
                        responsesChecked.increment();
                    } else {
                        int from = random.nextInt(SIZES[file]);
                        int to = from + random.nextInt(SIZES[file] - from);
                        HttpTestSupport.Response r = c.request("GET /f" + file + " HTTP/1.1\r\nHost: x\r\nRange: bytes="
                                + from + "-" + to + "\r\n\r\n");
                        assertEquals(206, r.status());
                        assertArrayEquals(Arrays.copyOfRange(files.get(file), from, to + 1), r.body());
                        responsesChecked.increment();
                    }
                }
            }
            case PIPELINED -> {
                int[] asked = new int[4];
                StringBuilder requests = new StringBuilder();
                for (int i = 0; i < asked.length; i++) {
                    asked[i] = random.nextInt(SIZES.length);
                    requests.append(HttpTestSupport.get("/f" + asked[i]));
                }
                c.send(requests.toString());
                for (int file : asked) {
                    check(c.read(), files.get(file));
                }
            }
            case ABANDONED -> {
                c.send(HttpTestSupport.get("/f" + (SIZES.length - 1)));
                c.in.readNBytes(1 + random.nextInt(256 * 1024));
                if (random.nextBoolean()) {
                    c.socket.setSoLinger(true, 0);
                }
            }
            case HALF_REQUEST -> c.send("GET /f0 HT");
        }
    }

    private void check(HttpTestSupport.Response r, byte[] expected) {
        assertEquals(200, r.status(), r.head());
        assertArrayEquals(expected, r.body());
        responsesChecked.increment();
    }
}
