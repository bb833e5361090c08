package io.proactor.core;

import io.proactor.Engine;
import io.proactor.ProactorMetrics;
import io.proactor.protocol.ServerSpec;
import io.proactor.protocol.ThreadingModel;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A protocol server on event loops: the worker pool of the WORKER_POOL model, the stall watchdog that watches
 * every loop and worker, and the order of {@link #close}: the watchdog stops, the engine closes its listeners,
 * connections and loops ({@link #stopLoops}), and the workers go last, so that the {@code onClose} callbacks
 * the loops queued for them still run.
 */
public abstract class LoopProtocolServer extends AbstractProtocolServer {

    /** The callback threads of the WORKER_POOL model, or {@code null}. */
    protected final WorkerPool workers;
    private final StallWatchdog watchdog;

    protected LoopProtocolServer(Engine engine, ServerSpec spec) {
        super(engine, spec);
        this.workers = spec.model() == ThreadingModel.WORKER_POOL
                ? new WorkerPool(spec.threads(), "server-" + engine.name() + "-worker") : null;
        this.watchdog = StallWatchdog.start("server-" + engine.name() + "-stall-watchdog", spec.stallWatch());
        if (workers != null) {
            workers.workers().forEach(w -> watchdog.watch(w, "worker"));
        }
    }

    /** Has the watchdog watch an event loop. */
    protected final void watch(Executor loop, String name) {
        watchdog.watch(loop, name);
    }

    /** The worker for a new connection's callbacks, or {@code null}: they run on its loop. */
    protected final Executor nextWorker() {
        return workers == null ? null : workers.next();
    }

    /** The server's event loops, for {@link #metrics()}; empty before they are made. Any thread. */
    protected abstract List<? extends EventLoop> loops();

    @Override
    public final ProactorMetrics metrics() {
        ProactorMetrics sum = ProactorMetrics.sum("server-" + engine().name(),
                loops().stream().map(EventLoop::metrics).toList());
        return sum.withStalls(watchdog.isOn() ? watchdog.stallsReported() : ProactorMetrics.NOT_AVAILABLE)
                .withSendTimeouts(sendTimeouts.expired());
    }

    /** Closes the listeners, the connections and the loops, and waits for the loops to end. */
    protected abstract void stopLoops();

    /** Waits until a close that another call began has stopped the loops. */
    protected abstract void awaitLoopsStopped();

    @Override
    public final void close() {
        if (closing) {
            awaitLoopsStopped();
            return;
        }
        closing = true;
        watchdog.close();
        stopLoops();
        if (workers != null) {
            workers.close(); // after the loops: the onClose callbacks they queued still run
        }
    }
}
