package io.proactor.nio2;

import io.proactor.EngineFeatures;
import io.proactor.ProactorGroupConfig;
import io.proactor.core.AbstractProactorEngine;
import io.proactor.core.DefaultProactorGroup;
import io.proactor.core.MpscCompletionEventQueue;
import io.proactor.core.ProactorLoop;
import java.nio.channels.AsynchronousChannelGroup;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The portable engine: the JDK's asynchronous channels execute operations (the Asynchronous Operation
 * Processor). Each proactor has its own JDK {@link AsynchronousChannelGroup} whose completion handlers run on
 * the proactor's loop ({@link LoopExecutor}): an operation that completes at once, on the proactor thread, is
 * finished in the loop's next step without any hand-over; one that waits is completed by the JDK's internal
 * epoll thread and handed to the loop. File operations complete on a small pool shared by the group and are
 * posted to the owning proactor's {@link MpscCompletionEventQueue} (the Completion Event Queue).
 *
 * <p>The JDK's {@code AsynchronousFileChannel} is blocking {@code pread}/{@code pwrite} on a pool; on Linux
 * sockets are emulated on epoll. Always available.
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
        AutoCloseable shared = () -> {
            files.shutdownNow();
            files.awaitTermination(10, TimeUnit.SECONDS);
        };
        List<ProactorLoop> loops = new CopyOnWriteArrayList<>();
        return new DefaultProactorGroup(this, config, i -> {
            MpscCompletionEventQueue queue = new MpscCompletionEventQueue();
            ProactorLoop loop = new ProactorLoop(DefaultProactorGroup.loopName(config, this, i), this, queue,
                    l -> new Nio2OperationProcessor(l, queue, loops, files, config));
            loops.add(loop);
            return loop;
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
