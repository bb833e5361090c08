package io.proactor.nio2;

import io.proactor.EngineFeatures;
import io.proactor.ProactorGroupConfig;
import io.proactor.core.AbstractProactorEngine;
import io.proactor.core.DefaultProactorGroup;
import io.proactor.core.ProactorLoop;
import java.nio.channels.AsynchronousChannelGroup;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The portable engine: the JDK's asynchronous channels execute operations (the Asynchronous Operation
 * Processor). Each proactor has its own JDK {@link AsynchronousChannelGroup} of one thread, and that thread is
 * the proactor's: the JDK waits on epoll there and calls completion handlers there, and the proactor's loop runs
 * its tasks and timers after each (a loop driven by the JDK's, see {@link Nio2CompletionEventQueue}), so a
 * socket completion reaches its handler with no hand-over between threads. File operations complete on a small
 * pool shared by the group and are posted to the owning proactor's queue (the Completion Event Queue).
 *
 * <p>The JDK's {@code AsynchronousFileChannel} is blocking {@code pread}/{@code pwrite} on a pool; on Linux
 * sockets are emulated on epoll. Always available.
 *
 * <p>In the main/sub model a socket stays in the channel group of the proactor that accepted it (the JDK cannot
 * move it), so its completions come on the acceptor's thread and are posted to the proactor that owns it:
 * prefer the reuse-port model with this engine when connections are many and busy.
 */
public final class Nio2Engine extends AbstractProactorEngine {

    public static final String NAME = "nio2";
    private static final EngineFeatures FEATURES = new EngineFeatures(true, false, false);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Throwable unavailabilityCause() {
        return null;
    }

    @Override
    public EngineFeatures features() {
        return FEATURES;
    }

    @Override
    protected DefaultProactorGroup openGroup(ProactorGroupConfig config) {
        String prefix = config.name() + "-" + NAME;
        int fileThreads = Math.max(2, 2 * config.size());
        ThreadPoolExecutor files = new ThreadPoolExecutor(fileThreads, fileThreads, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads(prefix + "-file-"));
        files.allowCoreThreadTimeOut(true);
        ScheduledThreadPoolExecutor alarms = new ScheduledThreadPoolExecutor(1, threads(prefix + "-alarm-"));
        alarms.setRemoveOnCancelPolicy(true);
        List<Nio2OperationProcessor> processors = new CopyOnWriteArrayList<>();
        AutoCloseable shared = () -> {
            processors.forEach(Nio2OperationProcessor::endChannelGroup);
            files.shutdownNow();
            alarms.shutdownNow();
            for (Nio2OperationProcessor p : processors) {
                p.awaitChannelGroupEnded();
            }
            files.awaitTermination(10, TimeUnit.SECONDS);
            alarms.awaitTermination(10, TimeUnit.SECONDS);
        };
        return new DefaultProactorGroup(this, config, i -> {
            Nio2CompletionEventQueue queue = new Nio2CompletionEventQueue(alarms);
            return new ProactorLoop(DefaultProactorGroup.loopName(config, this, i), this, queue, true,
                    l -> new Nio2OperationProcessor(l, queue, files, processors, config));
        }, shared);
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }
}
