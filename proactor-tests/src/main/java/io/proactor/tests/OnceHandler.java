package io.proactor.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proactor.CompletionHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A completion handler that must run exactly once. {@link #first} completes with the outcome of the first call
 * (the failure, or {@code null} on success, {@link #result} then holding the result); a second call is a
 * failure of the test, kept as an {@link AssertionError} naming both calls, which {@link #assertCalledOnce}
 * throws (a handler runs on a proactor thread, where throwing would not reach the test).
 *
 * <p>Call {@link #assertCalledOnce} after the group has terminated: no proactor thread is left to call the
 * handler again, so "exactly once" is then a fact rather than what a sleep happened to see.
 */
final class OnceHandler<V> implements CompletionHandler<V, Object> {

    final CompletableFuture<Throwable> first = new CompletableFuture<>();
    volatile V result;
    private final AtomicInteger calls = new AtomicInteger();
    private volatile String firstCall;
    private final AtomicReference<AssertionError> secondCall = new AtomicReference<>();

    @Override
    public void completed(V result, Object attachment) {
        if (called("completed(" + result + ")")) {
            this.result = result;
            first.complete(null);
        }
    }

    @Override
    public void failed(Throwable exc, Object attachment) {
        if (called("failed(" + exc + ")")) {
            first.complete(exc);
        }
    }

    /** Counts the call; {@code true} for the first, and a recorded test failure for any later one. */
    private boolean called(String call) {
        if (calls.incrementAndGet() == 1) {
            firstCall = call;
            return true;
        }
        secondCall.compareAndSet(null, new AssertionError("handler called again: " + call + " after "
                + firstCall));
        return false;
    }

    /** Fails unless the handler ran exactly once; call it once the group has terminated. */
    void assertCalledOnce() {
        AssertionError again = secondCall.get();
        if (again != null) {
            throw again;
        }
        assertEquals(1, calls.get(), "handler calls");
    }
}
