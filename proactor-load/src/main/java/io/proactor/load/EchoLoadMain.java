package io.proactor.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The echo load as a program, for scripts ({@code proactor-benchmarks/bench/echo-compare.py}). Usage:
 * {@code EchoLoadMain PORT CONNECTIONS SIZE DEPTH WARMUP_S MEASURE_S} (loopback). Prints
 * {@code measure-start epochMs=..} when the window opens and at the end
 * {@code result roundTrips=N seconds=S errors=E p50us=.. p99us=.. p999us=..}; a live progress line goes to stderr
 * when it is a terminal. Exit status 1 on any mismatch or error, 2 on bad arguments.
 */
public final class EchoLoadMain {

    private static final String USAGE = "usage: EchoLoadMain PORT CONNECTIONS SIZE DEPTH WARMUP_S MEASURE_S";

    private EchoLoadMain() {
    }

    public static void main(String[] args) throws Exception {
        LoadSettings settings;
        EchoLoad echo;
        try {
            if (args.length != 6) {
                throw new IllegalArgumentException("expected 6 arguments, got " + args.length);
            }
            settings = new LoadSettings(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    Integer.parseInt(args[0])), Integer.parseInt(args[1]), Integer.parseInt(args[3]),
                    Duration.ofSeconds(Long.parseLong(args[4])), Duration.ofSeconds(Long.parseLong(args[5])));
            echo = new EchoLoad(Integer.parseInt(args[2]));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        LoadResult r;
        try (LoadGenerator load = new LoadGenerator()) {
            r = load.run(settings, echo, new LoadWindow() {
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
