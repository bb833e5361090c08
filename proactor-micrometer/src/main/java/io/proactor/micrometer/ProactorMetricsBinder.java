package io.proactor.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.proactor.OperationKind;
import io.proactor.Proactor;
import io.proactor.ProactorGroup;
import io.proactor.ProactorMetrics;
import io.proactor.protocol.ProtocolServer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Binds {@link ProactorMetrics} to a Micrometer {@link MeterRegistry}: every meter reads a fresh snapshot when
 * the registry asks for it, so the binder adds nothing to the proactor's own work.
 *
 * <pre>{@code
 * new ProactorMetricsBinder(group::metrics, Tags.of("group", "io")).bindTo(registry);
 * new ProactorMetricsBinder(server::metrics, Tags.of("server", "http")).bindTo(registry);
 * }</pre>
 *
 * <p>Meters (all with the binder's tags; base names under {@code proactor.}):
 * <ul>
 *   <li>{@code proactor.operations.submitted}, {@code .completed} (function counters) and
 *       {@code proactor.operations.in.flight} (gauge), tagged {@code kind} with the {@link OperationKind} in
 *       lower case;</li>
 *   <li>{@code proactor.loop.iterations}, {@code proactor.loop.events} (events dispatched),
 *       {@code proactor.tasks.executed} (function counters), {@code proactor.tasks.queued} (gauge);</li>
 *   <li>{@code proactor.loop.lag} (a function timer over the sampled lags: count and total time) and
 *       {@code proactor.loop.lag.max} (a time gauge);</li>
 *   <li>{@code proactor.buffers.exhausted}, {@code proactor.completion.queue.overflows},
 *       {@code proactor.ring.enters}, {@code proactor.stalls} and {@code proactor.send.timeouts} (function
 *       counters).</li>
 * </ul>
 * A figure that is {@linkplain ProactorMetrics#NOT_AVAILABLE not available} when {@link #bindTo} runs (e.g.
 * buffer exhaustions on nio2, operations on the reactor, io_uring enters everywhere) gets no meter at all,
 * rather than a meter that always reads -1.
 */
public final class ProactorMetricsBinder implements MeterBinder {

    private final Supplier<ProactorMetrics> metrics;
    private final Tags tags;

    /**
     * @param metrics where snapshots come from: {@link Proactor#metrics()}, {@link ProactorGroup#metrics()} or
     *                {@link ProtocolServer#metrics()}
     * @param tags    added to every meter (e.g. which group or server)
     */
    public ProactorMetricsBinder(Supplier<ProactorMetrics> metrics, Iterable<Tag> tags) {
        this.metrics = Objects.requireNonNull(metrics, "'metrics' is null");
        this.tags = Tags.of(Objects.requireNonNull(tags, "'tags' is null"));
    }

    /** Binds the metrics of a group, tagged {@code engine}. */
    public static ProactorMetricsBinder of(ProactorGroup group) {
        return new ProactorMetricsBinder(group::metrics, Tags.of("engine", group.engine().name()));
    }

    /** Binds the metrics of a protocol server, tagged {@code engine}. */
    public static ProactorMetricsBinder of(ProtocolServer server) {
        return new ProactorMetricsBinder(server::metrics, Tags.of("engine", server.engine().name()));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        ProactorMetrics now = metrics.get();
        for (OperationKind kind : now.operations().keySet()) {
            Tags kindTags = tags.and("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
            FunctionCounter.builder("proactor.operations.submitted", metrics,
                            m -> m.get().operations().get(kind).submitted())
                    .description("operations handed to the proactor").tags(kindTags).register(registry);
            FunctionCounter.builder("proactor.operations.completed", metrics,
                            m -> m.get().operations().get(kind).completed())
                    .description("operations whose handler was called").tags(kindTags).register(registry);
            Gauge.builder("proactor.operations.in.flight", metrics, m -> m.get().operations().get(kind).inFlight())
                    .description("operations submitted and not completed yet").tags(kindTags).register(registry);
        }
        counter(registry, now, "proactor.loop.iterations", "turns of the event loop",
                ProactorMetrics::loopIterations);
        counter(registry, now, "proactor.loop.events", "events the loop's wait step dispatched",
                ProactorMetrics::eventsDispatched);
        counter(registry, now, "proactor.tasks.executed", "tasks the loop ran", ProactorMetrics::tasksExecuted);
        counter(registry, now, "proactor.buffers.exhausted", "receives that found the provided buffers used up",
                ProactorMetrics::bufferExhaustions);
        counter(registry, now, "proactor.completion.queue.overflows",
                "loop steps that found the io_uring completion ring overflowed",
                ProactorMetrics::completionQueueOverflows);
        counter(registry, now, "proactor.ring.enters", "io_uring_enter calls", ProactorMetrics::ringEnters);
        counter(registry, now, "proactor.stalls", "stalls the watchdog reported", ProactorMetrics::stalls);
        counter(registry, now, "proactor.send.timeouts", "connections closed by the send timeout",
                ProactorMetrics::sendTimeouts);
        if (now.taskQueueDepth() >= 0) {
            Gauge.builder("proactor.tasks.queued", metrics, gauge(ProactorMetrics::taskQueueDepth))
                    .description("tasks waiting for the loop").tags(tags).register(registry);
        }
        if (now.lagSamples() >= 0) {
            FunctionTimer.builder("proactor.loop.lag", metrics, m -> m.get().lagSamples(),
                            m -> m.get().lagNanosTotal(), TimeUnit.NANOSECONDS)
                    .description("sampled delay from a task's hand-off to its run").tags(tags).register(registry);
            TimeGauge.builder("proactor.loop.lag.max", metrics, TimeUnit.NANOSECONDS,
                            gauge(ProactorMetrics::lagNanosMax))
                    .description("the largest sampled loop lag").tags(tags).register(registry);
        }
    }

    private void counter(MeterRegistry registry, ProactorMetrics now, String name, String description,
                         ToLongFunction<ProactorMetrics> figure) {
        if (figure.applyAsLong(now) < 0) {
            return; // not available on this engine: no meter
        }
        FunctionCounter.builder(name, metrics, m -> figure.applyAsLong(m.get()))
                .description(description).tags(tags).register(registry);
    }

    private static ToDoubleFunction<Supplier<ProactorMetrics>> gauge(ToLongFunction<ProactorMetrics> figure) {
        return m -> figure.applyAsLong(m.get());
    }
}
