package io.proactor.nio2;

import io.proactor.AsyncFile;
import io.proactor.CompletionHandler;
import io.proactor.core.AbstractInitiator;
import io.proactor.core.Handlers;
import io.proactor.core.MpscCompletionEventQueue;
import io.proactor.core.ProactorLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@link AsyncFile} on a JDK {@link AsynchronousFileChannel} (blocking {@code pread}/{@code pwrite} on the
 * group's file pool). Any number of operations may be pending, so each gets its own completion object.
 */
final class Nio2AsyncFile extends AbstractInitiator implements AsyncFile {

    private final MpscCompletionEventQueue queue;
    private final AsynchronousFileChannel channel;
    private final ExecutorService files;
    private final Path path;

    Nio2AsyncFile(ProactorLoop loop, MpscCompletionEventQueue queue, AsynchronousFileChannel channel,
                  ExecutorService files, Path path) {
        super(loop);
        this.queue = queue;
        this.channel = channel;
        this.files = files;
        this.path = path;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public <A> void read(ByteBuffer dst, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(dst, "'dst' is null");
        Objects.requireNonNull(handler, "'handler' is null");
        checkPosition(position);
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("'dst' is read-only");
        }
        start(handler, attachment, c -> channel.read(dst, position, null, c));
    }

    @Override
    public <A> void write(ByteBuffer src, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(src, "'src' is null");
        Objects.requireNonNull(handler, "'handler' is null");
        checkPosition(position);
        start(handler, attachment, c -> channel.write(src, position, null, c));
    }

    @Override
    public <A> void force(boolean metaData, A attachment, CompletionHandler<Void, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        // The JDK's force() is synchronous: run it on the file pool so the proactor never blocks.
        start(handler, attachment, c -> files.execute(() -> {
            try {
                channel.force(metaData);
                c.completed(null, null);
            } catch (IOException | RuntimeException e) {
                c.failed(e, null);
            }
        }));
    }

    private static void checkPosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("'position' is negative: " + position);
        }
    }

    private interface JdkCall<V> {
        void start(Nio2Completion<V> completion);
    }

    private <V, A> void start(CompletionHandler<V, ? super A> handler, A attachment, JdkCall<V> call) {
        boolean wasOpen = isOpen();
        Nio2Completion<V> done = new Nio2Completion<>(loop, queue) {
            @Override
            void onCompleted(V value) {
                Handlers.complete(handler, value, attachment);
            }

            @Override
            void onFailed(Throwable exc) {
                Handlers.fail(handler, exc, attachment);
            }
        };
        loop.runOnLoop(() -> {
            done.started();
            if (!isOpen()) {
                done.refused(wasOpen ? new java.nio.channels.AsynchronousCloseException() : new ClosedChannelException());
                return;
            }
            try {
                call.start(done);
            } catch (RejectedExecutionException | IllegalStateException e) {
                done.refused(e);
            }
        });
    }

    @Override
    protected void implClose() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "Nio2AsyncFile[" + path + "]";
    }
}
