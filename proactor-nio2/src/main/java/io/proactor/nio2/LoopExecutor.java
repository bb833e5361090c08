package io.proactor.nio2;

import io.proactor.core.ProactorLoop;
import java.nio.channels.AsynchronousChannelGroup;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The executor a proactor's own JDK channel group runs its completion handlers on: the proactor's loop. Given
 * to {@link AsynchronousChannelGroup#withThreadPool}, it makes the proactor thread a thread of the group, so
 * that (on Linux) the JDK performs a read or write the proactor starts at once, on the proactor thread, and only
 * an operation that has to wait for the socket goes through the group's internal epoll thread, which hands its
 * completion to the loop. With a fixed pool of the JDK's own threads instead, every operation went through them
 * and every completion was handed over.
 *
 * <p>A socket a proactor accepts for another proactor of its group (the main/sub model) stays in the acceptor's
 * channel group, so the JDK gives the acceptor's executor the completions of operations that other proactor
 * started. One that completes at once is run on the proactor whose thread started it, where its handler belongs,
 * rather than handed to the acceptor and back.
 *
 * <p>The JDK calls {@link #shutdown} when the group shuts down; the loop's life is the proactor's, so that only
 * marks this executor shut down.
 */
final class LoopExecutor extends AbstractExecutorService {

    private final ProactorLoop loop;
    private final List<ProactorLoop> groupLoops;
    private volatile boolean shutdown;

    /** @param groupLoops every proactor of {@code loop}'s group (filled in as they are made) */
    LoopExecutor(ProactorLoop loop, List<ProactorLoop> groupLoops) {
        this.loop = loop;
        this.groupLoops = groupLoops;
    }

    @Override
    public void execute(Runnable task) {
        ProactorLoop target = loop;
        if (!loop.inLoop()) {
            for (ProactorLoop other : groupLoops) {
                if (other.inLoop()) {
                    target = other; // started there, completed at once: see the class comment
                    break;
                }
            }
        }
        try {
            target.execute(task);
        } catch (RejectedExecutionException terminated) {
            // The loop closed every channel before it ended and waited for their completions (or gave up at
            // its shutdown deadline): nobody waits for this one. Refusing it would throw in the JDK's epoll thread.
        }
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return loop.terminationFuture().isDone();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            loop.terminationFuture().get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // ended all the same
        }
    }
}
