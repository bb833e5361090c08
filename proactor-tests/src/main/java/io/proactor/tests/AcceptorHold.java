package io.proactor.tests;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps the threads that accept a server's connections busy until {@link #release()}, so that the server accepts
 * slowly at first, as a loop busy with other work does. A thread is held by calling {@link #hold()} on it: as a
 * task on an event loop, or from the server's handler factory once {@link #holdInFactory()} armed it (for servers
 * that make a connection's handler on the thread that accepted it).
 *
 * <p><b>Threading.</b> Any thread may call any method.
 */
public final class AcceptorHold {

    private final CountDownLatch released = new CountDownLatch(1);
    private final Set<Thread> held = ConcurrentHashMap.newKeySet();
    private volatile boolean inFactory;

    /** Blocks the calling thread until {@link #release()} (at most {@link TestSupport#STEP_SECONDS}). */
    public void hold() {
        if (released.getCount() == 0) {
            return;
        }
        held.add(Thread.currentThread());
        try {
            released.await(TestSupport.STEP_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A handler factory that makes its handlers with {@code handlers}, after {@link #hold()} once armed. */
    public <H> Supplier<H> factory(Supplier<H> handlers) {
        return () -> {
            if (inFactory) {
                hold();
            }
            return handlers.get();
        };
    }

    /** From now until {@link #release()}, every call of the {@link #factory} waits for the release. */
    public void holdInFactory() {
        inFactory = true;
    }

    /** How many distinct threads are held (or were, until the release). */
    public int heldThreads() {
        return held.size();
    }

    /** Waits (at most {@code millis}) until {@code n} threads are held; true if they are. */
    public boolean awaitHeld(int n, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (held.size() < n) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    /** Lets every held thread go on; idempotent. */
    public void release() {
        inFactory = false;
        released.countDown();
    }
}
