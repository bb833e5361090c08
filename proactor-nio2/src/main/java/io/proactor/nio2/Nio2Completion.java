package io.proactor.nio2;

import io.proactor.core.MpscCompletionEventQueue;
import io.proactor.core.ProactorLoop;

/**
 * The bridge from a JDK completion callback (on a JDK thread) to the proactor: record the outcome, post
 * this object to the proactor's completion event queue, and finish the operation when the proactor runs it.
 * Objects for the one-at-a-time socket operations are reused, so a read or a write allocates none.
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
        queue.post(this);
    }

    @Override
    public final void failed(Throwable exc, Void unused) {
        error = exc;
        queue.post(this);
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
