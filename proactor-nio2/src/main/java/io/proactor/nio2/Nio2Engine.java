package io.proactor.nio2;

import io.proactor.EngineFeatures;
import io.proactor.ProactorGroupConfig;
import io.proactor.core.AbstractProactorEngine;
import io.proactor.core.DefaultProactorGroup;
import io.proactor.core.MpscCompletionEventQueue;
import io.proactor.core.ProactorLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The portable engine: the JDK's asynchronous channels execute operations (the Asynchronous Operation
 * Processor) and their completion callbacks, on the JDK channel group's threads, post each finished operation
 * to the owning proactor's {@link MpscCompletionEventQueue} (the Completion Event Queue).
 *
 * <p>Per group: one {@link AsynchronousChannelGroup} with as many threads as proactors, and a small pool for
 * file operations (the JDK's {@code AsynchronousFileChannel} is blocking {@code pread}/{@code pwrite} on a pool;
 * on Linux sockets are emulated on epoll). Always available.
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
        AsynchronousChannelGroup channelGroup;
        try {
            channelGroup = AsynchronousChannelGroup.withFixedThreadPool(config.size(), threads(prefix + "-io-"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the JDK asynchronous channel group: " + e.getMessage(), e);
        }
        int fileThreads = Math.max(2, 2 * config.size());
        ThreadPoolExecutor files = new ThreadPoolExecutor(fileThreads, fileThreads, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads(prefix + "-file-"));
        files.allowCoreThreadTimeOut(true);
        AutoCloseable shared = () -> {
            channelGroup.shutdownNow();
            files.shutdownNow();
            channelGroup.awaitTermination(10, TimeUnit.SECONDS);
            files.awaitTermination(10, TimeUnit.SECONDS);
        };
        return new DefaultProactorGroup(this, config, i -> {
            MpscCompletionEventQueue queue = new MpscCompletionEventQueue();
            return new ProactorLoop(DefaultProactorGroup.loopName(config, this, i), this, queue,
                    loop -> new Nio2OperationProcessor(loop, queue, channelGroup, files, config));
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
