package io.proactor;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A fixed set of single-threaded {@link Proactor}s of one engine, with the engine resources they share.
 *
 * <pre>{@code
 * try (ProactorGroup group = ProactorGroup.open(Engines.best(), 2)) {
 *     AsyncSocket socket = group.next().openSocket();
 *     socket.connect(address).join();
 * }
 * }</pre>
 *
 * <p><b>Shutdown.</b> {@link #shutdownGracefully(Duration)} closes every channel still open (their pending
 * operations fail once with {@link java.nio.channels.AsynchronousCloseException}), runs the handlers and
 * tasks that follow, waits for the engine to hand back every buffer it holds, then stops the threads and
 * frees the engine's resources. Past the deadline it stops anyway and logs what was still outstanding.
 *
 * <p><b>Threading.</b> Any thread may call any method, except that {@link #close()} must not be called on
 * one of the group's own proactor threads (it waits for them to end).
 */
public interface ProactorGroup extends AutoCloseable {

    /** How long {@link #close()} gives a graceful shutdown. */
    Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Opens a group of {@code size} proactors on {@code engine}.
     *
     * @throws IllegalArgumentException if {@code engine} is not {@linkplain EngineFeatures#completionBased()
     *                                  completion-based} (a readiness engine runs protocol handlers only)
     * @throws EngineUnavailableException if the engine cannot run here
     */
    static ProactorGroup open(Engine engine, int size) {
        return open(engine, ProactorGroupConfig.of(size));
    }

    /** Opens a group on {@code engine} configured by {@code config}; throws as {@link #open(Engine, int)}. */
    static ProactorGroup open(Engine engine, ProactorGroupConfig config) {
        Objects.requireNonNull(engine, "'engine' is null");
        Objects.requireNonNull(config, "'config' is null");
        return Engines.lookup().openProactorGroup(engine, config);
    }

    Engine engine();

    /** The proactors, in a fixed order. */
    List<Proactor> proactors();

    /** The next proactor, round robin: a simple way to spread channels. */
    Proactor next();

    /**
     * The sum of the {@linkplain Proactor#metrics() metrics} of every proactor of the group, named after the
     * engine (each proactor's own: {@code proactors().get(i).metrics()}). Any thread.
     */
    default ProactorMetrics metrics() {
        return ProactorMetrics.sum(engine().name(), proactors().stream().map(Proactor::metrics).toList());
    }

    /** {@code true} once shutdown has begun. */
    boolean isShuttingDown();

    /** Begins a graceful shutdown; the future completes when every thread has ended and all is released. */
    CompletableFuture<Void> shutdownGracefully(Duration timeout);

    /** The future that completes when the group has terminated. */
    CompletableFuture<Void> terminationFuture();

    /** Shuts down gracefully within {@link #DEFAULT_SHUTDOWN_TIMEOUT} and waits for it. */
    @Override
    void close();
}
