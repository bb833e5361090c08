package io.proactor.core;

import io.proactor.CompletionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls user code on a proactor thread so that what it throws is reported and the loop survives. */
public final class Handlers {

    private static final Logger LOG = LoggerFactory.getLogger(Handlers.class);

    private Handlers() {
    }

    /** Calls {@code handler.completed}; reports what it throws. */
    public static <V, A> void complete(CompletionHandler<V, ? super A> handler, V result, A attachment) {
        try {
            handler.completed(result, attachment);
        } catch (Throwable t) {
            report(t, "completion handler");
        }
    }

    /** Calls {@code handler.failed}; reports what it throws. */
    public static <V, A> void fail(CompletionHandler<V, ? super A> handler, Throwable exc, A attachment) {
        try {
            handler.failed(exc, attachment);
        } catch (Throwable t) {
            report(t, "completion handler");
        }
    }

    /** Runs {@code task}; reports what it throws. */
    public static void run(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            report(t, "task");
        }
    }

    /**
     * Logs an exception escaping user code. A {@link VirtualMachineError} (out of memory, stack overflow) is
     * rethrown: the JVM is in no state to carry on as if nothing happened.
     */
    public static void report(Throwable t, String what) {
        LOG.error("{} threw on {}; the proactor carries on", what, Thread.currentThread().getName(), t);
        if (t instanceof VirtualMachineError vme) {
            throw vme;
        }
    }
}
