package io.proactor.nio2;

import io.proactor.core.MpscCompletionEventQueue;
import io.proactor.core.ProactorLoop;

/**
 * The bridge from a JDK completion callback to the proactor: record the outcome and have the proactor thread
 * finish the operation in a later step. Socket callbacks come on the proactor thread itself (the JDK channel
 * group dispatches to the loop, {@link LoopExecutor}), sometimes from inside the call that started the
 * operation, when it completed at once: this object then runs as a task of the loop after that call has
 * returned, so a handler never runs inside the initiating call. Callbacks on other threads (file operations,
 * on the file pool) post it to the proactor's completion event queue. Objects for the one-at-a-time socket
 * operations are reused, so a read or a write allocates none.
 *
 * @param <V> the JDK's result type
 */
abstract class Nio2Completion<V> implements java.nio.channels.CompletionHandler<V, Void>, Runnable {

    private final ProactorLoop loop;
    private final MpscCompletionEventQueue queue;
    private V result;
    private Throwable error;

    Nio2Completion(ProactorLoop loop, MpscCompletionEventQueue queue) {
        this.loop = loop;
        this.queue = queue;
    }

    /** Call on the loop just before handing the operation to the JDK. */
    final Nio2Completion<V> started() {
        loop.operationStarted();
        return this;
    }

    /** The JDK refused the operation synchronously: finish it in a later loop iteration. */
    final void refused(Throwable e) {
        failed(e, null);
    }

    @Override
    public final void completed(V value, Void unused) {
        result = value;
        finishLater();
    }

    @Override
    public final void failed(Throwable exc, Void unused) {
        error = exc;
        finishLater();
    }

    private void finishLater() {
        if (loop.inLoop()) {
            loop.eventDispatched(); // delivered by the channel group, not through the loop's completion queue
            loop.execute(this); // the loop's own queue: no wake-up, and never inside the initiating call
        } else {
            queue.post(this);
        }
    }

    /** Runs on the proactor thread. */
    @Override
    public final void run() {
        loop.operationFinished();
        V r = result;
        Throwable e = error;
        result = null;
        error = null;
        if (e != null) {
            onFailed(e);
        } else {
            onCompleted(r);
        }
    }

    abstract void onCompleted(V value);

    abstract void onFailed(Throwable exc);
}
