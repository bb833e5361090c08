package io.proactor.core;

import io.proactor.Engine;
import io.proactor.Proactor;
import io.proactor.ProactorGroup;
import io.proactor.ProactorGroupConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ProactorGroup} of completion-based engines: N {@link ProactorLoop}s plus engine resources
 * shared by them (released after every loop has ended).
 */
public final class DefaultProactorGroup implements ProactorGroup {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultProactorGroup.class);

    private final Engine engine;
    private final List<Proactor> proactors;
    private final List<ProactorLoop> loops;
    private final AutoCloseable sharedResources;
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final CompletableFuture<Void> termination = new CompletableFuture<>();
    private volatile boolean shuttingDown;

    /**
     * Builds and starts the loops. If making one fails, the loops already started are shut down, the shared
     * resources are closed, and the failure propagates.
     *
     * @param loopFactory     makes loop {@code i} (not started)
     * @param sharedResources closed once every loop has terminated; may be {@code null}
     */
    public DefaultProactorGroup(Engine engine, ProactorGroupConfig config, IntFunction<ProactorLoop> loopFactory,
                                AutoCloseable sharedResources) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.sharedResources = sharedResources;
        List<ProactorLoop> made = new ArrayList<>(config.size());
        try {
            for (int i = 0; i < config.size(); i++) {
                ProactorLoop loop = loopFactory.apply(i);
                made.add(loop);
                loop.start();
            }
        } catch (RuntimeException | Error e) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            made.forEach(l -> l.shutdown(deadline));
            made.forEach(l -> l.terminationFuture().join());
            closeShared();
            throw e;
        }
        this.loops = List.copyOf(made);
        this.proactors = List.copyOf(made);
        CompletableFuture.allOf(made.stream().map(ProactorLoop::terminationFuture)
                        .toArray(CompletableFuture[]::new))
                .whenComplete((v, t) -> {
                    closeShared();
                    termination.complete(null);
                });
    }

    /** The thread name of loop {@code index} in a group called {@code name} on {@code engine}. */
    public static String loopName(ProactorGroupConfig config, Engine engine, int index) {
        return config.name() + "-" + engine.name() + "-" + index;
    }

    private void closeShared() {
        if (sharedResources == null) {
            return;
        }
        try {
            sharedResources.close();
        } catch (Exception e) {
            LOG.warn("closing the {} engine's shared resources failed", engine.name(), e);
        }
    }

    @Override
    public Engine engine() {
        return engine;
    }

    @Override
    public List<Proactor> proactors() {
        return proactors;
    }

    /** The group's loops, the same as {@link #proactors()}, typed as what they are. */
    public List<ProactorLoop> loops() {
        return loops;
    }

    @Override
    public ProactorLoop next() {
        return loops.get(Math.floorMod(nextIndex.getAndIncrement(), loops.size()));
    }

    @Override
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    @Override
    public CompletableFuture<Void> shutdownGracefully(Duration timeout) {
        Objects.requireNonNull(timeout, "'timeout' is null");
        shuttingDown = true;
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        for (ProactorLoop loop : loops) {
            loop.shutdown(deadline);
        }
        return termination;
    }

    @Override
    public CompletableFuture<Void> terminationFuture() {
        return termination;
    }

    @Override
    public void close() {
        for (ProactorLoop loop : loops) {
            if (loop.inProactorThread()) {
                throw new IllegalStateException("close() called on the group's own proactor thread "
                        + loop.name() + "; it would wait for itself. Use shutdownGracefully() there.");
            }
        }
        CompletableFuture<Void> done = shutdownGracefully(DEFAULT_SHUTDOWN_TIMEOUT);
        try {
            done.get(DEFAULT_SHUTDOWN_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("proactor group on {} did not terminate cleanly", engine.name(), e);
        }
    }
}
