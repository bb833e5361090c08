package io.proactor.nio2;

import io.proactor.AsyncFile;
import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.ProactorGroupConfig;
import io.proactor.ProactorOpenOption;
import io.proactor.core.BufferPool;
import io.proactor.core.Handlers;
import io.proactor.core.MpscCompletionEventQueue;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * The NIO.2 Asynchronous Operation Processor of one proactor: makes channels on the proactor's own JDK channel
 * group (whose completion handlers run on the proactor's loop, see {@link LoopExecutor}), lends receive buffers
 * from a pool, and opens files on the group's file pool.
 */
final class Nio2OperationProcessor implements AsynchronousOperationProcessor {

    private final ProactorLoop loop;
    private final MpscCompletionEventQueue queue;
    private final AsynchronousChannelGroup channelGroup;
    private final ExecutorService files;
    private final BufferPool receiveBuffers;

    /** @throws UncheckedIOException when the JDK cannot make the channel group */
    /** @param groupLoops every proactor of the group, for {@link LoopExecutor} */
    Nio2OperationProcessor(ProactorLoop loop, MpscCompletionEventQueue queue, List<ProactorLoop> groupLoops,
                           ExecutorService files, ProactorGroupConfig config) {
        this.loop = loop;
        this.queue = queue;
        try {
            // The JDK adds one internal thread of its own, which waits on epoll for operations that cannot
            // complete at once.
            this.channelGroup = AsynchronousChannelGroup.withThreadPool(new LoopExecutor(loop, groupLoops));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the JDK asynchronous channel group: " + e.getMessage(), e);
        }
        this.files = files;
        this.receiveBuffers = new BufferPool(loop, config.receiveBufferSize(), config.receiveBufferCount());
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

    /** On the loop thread as the loop ends, after it closed every channel (the loop logs a failure). */
    @Override
    public void close() {
        receiveBuffers.close();
        try {
            channelGroup.shutdownNow(); // ends the JDK's internal thread and closes its epoll descriptor
        } catch (IOException e) {
            throw new UncheckedIOException("shutting down the JDK channel group failed: " + e.getMessage(), e);
        }
    }
}
