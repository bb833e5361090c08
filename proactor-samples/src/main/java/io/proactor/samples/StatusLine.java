package io.proactor.samples;

import io.proactor.ProactorMetrics;
import io.proactor.protocol.ProtocolServer;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The status line of {@code proactor serve --status SECONDS}: the server's {@link ProactorMetrics} in one line,
 * totals and the rates since the previous line. A figure the engine cannot report prints as {@code n/a}.
 */
final class StatusLine implements Runnable {

    private final ProtocolServer server;
    private final PrintStream err;
    private ProactorMetrics previous;
    private long previousNanos;

    StatusLine(ProtocolServer server, PrintStream err) {
        this.server = server;
        this.err = err;
        this.previous = server.metrics();
        this.previousNanos = System.nanoTime();
    }

    /** Prints one line; on the timer thread. */
    @Override
    public void run() {
        ProactorMetrics now = server.metrics();
        long nowNanos = System.nanoTime();
        err.println(format(server.connectionCount(), previous, now, (nowNanos - previousNanos) / 1e9));
        err.flush();
        previous = now;
        previousNanos = nowNanos;
    }

    static String format(int connections, ProactorMetrics before, ProactorMetrics now, double seconds) {
        StringBuilder line = new StringBuilder("status ").append(LocalTime.now().truncatedTo(ChronoUnit.SECONDS))
                .append(": ").append(connections).append(" connections");
        line.append(" | ops ").append(figure(now.completed())).append(" completed (")
                .append(rate(before.completed(), now.completed(), seconds)).append("/s), ")
                .append(figure(now.inFlight())).append(" in flight");
        long iterations = now.loopIterations() - before.loopIterations();
        long events = now.eventsDispatched() - before.eventsDispatched();
        line.append(" | loop ").append(rate(before.loopIterations(), now.loopIterations(), seconds))
                .append(" wake-ups/s, ").append(iterations > 0 && now.eventsDispatched() >= 0
                        ? String.format(Locale.ROOT, "%.1f", (double) events / iterations) : "n/a")
                .append(" events each");
        long samples = now.lagSamples() - before.lagSamples();
        line.append(" | tasks ").append(rate(before.tasksExecuted(), now.tasksExecuted(), seconds)).append("/s, ")
                .append(figure(now.taskQueueDepth())).append(" queued, lag mean ")
                .append(samples > 0 ? micros((now.lagNanosTotal() - before.lagNanosTotal()) / samples) : "n/a")
                .append(" max ").append(now.lagNanosMax() >= 0 ? micros(now.lagNanosMax()) : "n/a");
        line.append(" | buffer exhaustions ").append(figure(now.bufferExhaustions()))
                .append(" | CQ overflows ").append(figure(now.completionQueueOverflows()))
                .append(" | stalls ").append(figure(now.stalls()))
                .append(" | send timeouts ").append(figure(now.sendTimeouts()));
        return line.toString();
    }

    private static String figure(long value) {
        return value < 0 ? "n/a" : Long.toString(value);
    }

    private static String rate(long before, long now, double seconds) {
        if (now < 0 || before < 0 || seconds <= 0) {
            return "n/a";
        }
        return Long.toString(Math.round((now - before) / seconds));
    }

    private static String micros(long nanos) {
        return nanos >= 10_000_000 ? nanos / 1_000_000 + " ms" : nanos / 1_000 + " us";
    }
}
