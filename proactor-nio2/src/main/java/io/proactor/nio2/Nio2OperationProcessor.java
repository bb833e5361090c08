package io.proactor.nio2;

import io.proactor.AsyncFile;
import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.SharedFile;
import io.proactor.ProactorGroupConfig;
import io.proactor.ProactorOpenOption;
import io.proactor.core.BufferPool;
import io.proactor.core.Handlers;
import io.proactor.core.ProactorLoop;
import io.proactor.spi.AsynchronousOperationProcessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The NIO.2 Asynchronous Operation Processor of one proactor: makes channels on the proactor's own JDK channel
 * group, whose one thread is the proactor's thread (the group waits for socket events and calls completion
 * handlers on it; see {@link Nio2CompletionEventQueue}), lends receive buffers from a pool, and opens files on
 * the group's file pool.
 */
final class Nio2OperationProcessor implements AsynchronousOperationProcessor {

    private final ProactorLoop loop;
    private final Nio2CompletionEventQueue queue;
    private final AsynchronousChannelGroup channelGroup;
    private final ExecutorService files;
    private final BufferPool receiveBuffers;

    /**
     * @param processors where this processor is added: the engine ends their channel groups together, once
     *                   every proactor of the group has ended (see {@link #close})
     * @throws UncheckedIOException when the JDK cannot make the channel group
     */
    Nio2OperationProcessor(ProactorLoop loop, Nio2CompletionEventQueue queue, ExecutorService files,
                           List<Nio2OperationProcessor> processors, ProactorGroupConfig config) {
        this.loop = loop;
        this.queue = queue;
        try {
            // A fixed pool of one thread: the JDK waits on epoll in it and calls handlers there, with no
            // internal thread of its own; the thread is the proactor's.
            this.channelGroup = AsynchronousChannelGroup.withFixedThreadPool(1, loop.driverThreadFactory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the JDK asynchronous channel group: " + e.getMessage(), e);
        }
        if (!(channelGroup instanceof Executor group)) {
            // OpenJDK's groups have run tasks on their threads since JDK 7; the loop's tasks need that.
            shutdown(channelGroup);
            throw new UnsupportedOperationException("this JDK's asynchronous channel group ("
                    + channelGroup.getClass().getName() + ") cannot run tasks on its thread; use another engine");
        }
        queue.drivenBy(() -> loop.dispatchDriven(null), group);
        processors.add(this);
        this.files = files;
        this.receiveBuffers = new BufferPool(loop, config.receiveBufferSize(), config.receiveBufferCount());
    }

    private static void shutdown(AsynchronousChannelGroup group) {
        try {
            group.shutdownNow();
        } catch (IOException e) {
            throw new UncheckedIOException("shutting down the JDK channel group failed: " + e.getMessage(), e);
        }
    }

    @Override
    public AsyncSocket openSocket() throws IOException {
        return new Nio2AsyncSocket(loop, queue, AsynchronousSocketChannel.open(channelGroup), receiveBuffers, false);
    }

    /** Wraps a socket the JDK accepted for {@code target}'s processor. */
    Nio2AsyncSocket adopt(AsynchronousSocketChannel accepted) {
        return new Nio2AsyncSocket(loop, queue, accepted, receiveBuffers, true);
    }

    @Override
    public AsyncServerSocket openServerSocket() throws IOException {
        return new Nio2AsyncServerSocket(loop, queue, AsynchronousServerSocketChannel.open(channelGroup));
    }

    @Override
    public AsyncFile adoptFile(SharedFile file) {
        if (!file.retain()) {
            throw new IllegalStateException(file.path() + " is closed (its last reference was released)");
        }
        return new Nio2AsyncFile(loop, queue, file, files);
    }

    @Override
    public <A> void openFile(Path path, Set<? extends OpenOption> options, A attachment,
                             CompletionHandler<AsyncFile, ? super A> handler) {
        Set<OpenOption> jdkOptions = new HashSet<>();
        for (OpenOption o : options) {
            jdkOptions.add(o == ProactorOpenOption.DIRECT ? com.sun.nio.file.ExtendedOpenOption.DIRECT : o);
        }
        if (!jdkOptions.contains(StandardOpenOption.WRITE) && !jdkOptions.contains(StandardOpenOption.APPEND)) {
            jdkOptions.add(StandardOpenOption.READ);
        }
        Nio2Completion<AsynchronousFileChannel> done = new Nio2Completion<>(loop, queue) {
            @Override
            void onCompleted(AsynchronousFileChannel channel) {
                Handlers.complete(handler, new Nio2AsyncFile(loop, queue, channel, files, path), attachment);
            }

            @Override
            void onFailed(Throwable exc) {
                Handlers.fail(handler, exc, attachment);
            }
        };
        loop.runOnLoop(() -> {
            done.started();
            try {
                files.execute(() -> {
                    try {
                        done.completed(AsynchronousFileChannel.open(path, jdkOptions, files), null);
                    } catch (IOException | RuntimeException e) {
                        done.failed(e, null);
                    }
                });
            } catch (RejectedExecutionException e) {
                done.refused(e);
            }
        });
    }

    /**
     * On the loop thread as the loop ends, after it closed every channel (the loop logs a failure). The JDK
     * channel group stays up until the whole proactor group has ended: in the main/sub model the sockets this
     * proactor accepted for others live in its channel group (the JDK cannot move them), and their completions,
     * their close among them, still come through it. Until then its thread keeps waiting for those events.
     */
    @Override
    public void close() {
        receiveBuffers.close();
    }

    /** Ends the JDK channel group: its thread, the proactor's, leaves the JDK's loop. Once the proactor has ended. */
    void endChannelGroup() {
        shutdown(channelGroup);
    }

    /** Waits for {@link #endChannelGroup}'s thread to end, unless called on that thread. */
    void awaitChannelGroupEnded() throws InterruptedException {
        if (!loop.inLoop()) {
            channelGroup.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
