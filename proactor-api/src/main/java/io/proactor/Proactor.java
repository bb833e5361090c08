package io.proactor;

import java.io.IOException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The completion dispatcher: the pattern's <b>Proactor</b>. One thread that takes finished operations from
 * its Completion Event Queue (the engine's {@code io.proactor.spi.CompletionEventQueue}) and calls their
 * {@link CompletionHandler}s, and that also runs tasks and timers. Every {@link Initiator} belongs to one proactor.
 *
 * <p>Proactors come in {@link ProactorGroup}s; a proactor is never created alone.
 *
 * <p><b>Threading.</b> Any thread may call any method. Tasks given to {@link #execute} run on the proactor's
 * thread in the order each submitting thread gave them, never inside the {@code execute} call itself. After
 * the group has begun shutting down, {@code execute} throws
 * {@link java.util.concurrent.RejectedExecutionException} and opening channels fails with
 * {@link java.nio.channels.ShutdownChannelGroupException}.
 */
public interface Proactor extends Executor {

    /** A name for logs and thread names, e.g. {@code proactor-nio2-0}. */
    String name();

    /** The engine whose Asynchronous Operation Processor executes this proactor's operations. */
    Engine engine();

    /** {@code true} when called on this proactor's thread. */
    boolean inProactorThread();

    /** Runs {@code task} on this proactor's thread, later. */
    @Override
    void execute(Runnable task);

    /** Runs {@code task} on this proactor's thread after {@code delay}. */
    Cancellable schedule(Runnable task, long delay, TimeUnit unit);

    /**
     * What this proactor has done so far: operations by kind, loop iterations, tasks, loop lag, and the
     * engine's own figures. Any thread; see {@link ProactorMetrics} for what each figure means and how current
     * it is.
     */
    ProactorMetrics metrics();

    /** Opens an unconnected TCP socket owned by this proactor. */
    AsyncSocket openSocket() throws IOException;

    /** Opens an unbound TCP server socket owned by this proactor. */
    AsyncServerSocket openServerSocket() throws IOException;

    /**
     * Opens (or creates) a file asynchronously, owned by this proactor. Options are
     * {@link java.nio.file.StandardOpenOption}s and {@link ProactorOpenOption#DIRECT}; with none, the file is
     * opened for reading.
     */
    <A> void openFile(Path path, Set<? extends OpenOption> options, A attachment,
                      CompletionHandler<AsyncFile, ? super A> handler);

    default CompletableFuture<AsyncFile> openFile(Path path, OpenOption... options) {
        FutureHandler<AsyncFile> f = new FutureHandler<>();
        openFile(path, Set.of(options), null, f);
        return f;
    }
}
