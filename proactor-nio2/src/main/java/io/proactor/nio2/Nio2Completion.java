package io.proactor.nio2;

import io.proactor.core.ProactorLoop;

/**
 * The bridge from a JDK completion callback to the proactor. Socket callbacks come on the proactor thread itself,
 * the one thread of the proactor's JDK channel group, which waited for the event: the handler runs there and
 * then (through {@link ProactorLoop#dispatchDriven}) the loop's own tasks and timers. A callback the JDK makes
 * from inside the call that started the operation (it completed at once) is queued instead and runs after that
 * call has returned, so a handler never runs inside the initiating call. Callbacks on other threads (file
 * operations, on the file pool; sockets owned by another proactor's group) post it to the proactor's
 * {@link Nio2CompletionEventQueue}. Objects for the one-at-a-time socket operations are reused, so a read or
 * a write allocates none.
 *
 * @param <V> the JDK's result type
 */
abstract class Nio2Completion<V> implements java.nio.channels.CompletionHandler<V, Void>, Runnable {

    private final ProactorLoop loop;
    private final Nio2CompletionEventQueue queue;
    private V result;
    private Throwable error;

    Nio2Completion(ProactorLoop loop, Nio2CompletionEventQueue queue) {
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
            loop.dispatchDriven(this);
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
