package io.proactor.nio2;

import io.proactor.CompletionHandler;
import io.proactor.SharedFile;
import io.proactor.core.AbstractAsyncFile;
import io.proactor.core.Handlers;
import io.proactor.core.ProactorLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@link AsyncFile} on a JDK {@link AsynchronousFileChannel} (blocking {@code pread}/{@code pwrite} on the
 * group's file pool), or on an adopted {@link SharedFile}'s channel (reads only, the same {@code pread} on the
 * same pool). Any number of operations may be pending, so each gets its own completion object.
 */
final class Nio2AsyncFile extends AbstractAsyncFile {

    private final Nio2CompletionEventQueue queue;
    private final AsynchronousFileChannel channel; // null when adopted
    private final SharedFile shared;               // the adopted file, whose reference this holds; or null
    private final ExecutorService files;

    Nio2AsyncFile(ProactorLoop loop, Nio2CompletionEventQueue queue, AsynchronousFileChannel channel,
                  ExecutorService files, Path path) {
        super(loop, path);
        this.queue = queue;
        this.channel = channel;
        this.shared = null;
        this.files = files;
    }

    /** Reads {@code shared} (whose reference the caller took for this file) on the file pool. */
    Nio2AsyncFile(ProactorLoop loop, Nio2CompletionEventQueue queue, SharedFile shared, ExecutorService files) {
        super(loop, shared.path());
        this.queue = queue;
        this.channel = null;
        this.shared = shared;
        this.files = files;
    }

    @Override
    public long size() throws IOException {
        return shared != null ? shared.size() : channel.size();
    }

    @Override
    protected void implRead(ByteBuffer dst, long position, CompletionHandler<Object, Object> handler, Object attachment) {
        Nio2Completion<Integer> done = completion(handler, attachment);
        if (shared != null) {
            onFilePool(done, () -> done.completed(shared.channel().read(dst, position), null));
            return;
        }
        try {
            channel.read(dst, position, null, done);
        } catch (RuntimeException e) {
            done.refused(e);
        }
    }

    @Override
    protected void implWrite(ByteBuffer src, long position, CompletionHandler<Object, Object> handler, Object attachment) {
        Nio2Completion<Integer> done = completion(handler, attachment);
        if (shared != null) {
            done.refused(new NonWritableChannelException()); // opened for reading
            return;
        }
        try {
            channel.write(src, position, null, done);
        } catch (RuntimeException e) {
            done.refused(e);
        }
    }

    @Override
    protected void implForce(boolean metaData, CompletionHandler<Object, Object> handler, Object attachment) {
        Nio2Completion<Void> done = completion(handler, attachment);
        // The JDK's force() is synchronous: run it on the file pool so the proactor never blocks.
        onFilePool(done, () -> {
            if (channel != null) {
                channel.force(metaData);
            }
            done.completed(null, null);
        });
    }

    private interface FileWork {
        void run() throws IOException;
    }

    /** Runs blocking {@code work} on the file pool; it completes {@code done}, or {@code done} fails with its error. */
    private void onFilePool(Nio2Completion<?> done, FileWork work) {
        try {
            files.execute(() -> {
                try {
                    work.run();
                } catch (IOException | RuntimeException e) {
                    done.failed(e, null);
                }
            });
        } catch (RejectedExecutionException e) {
            done.refused(e);
        }
    }

    /** A completion (started, so the proactor counts it) that calls the user's handler. */
    private <V> Nio2Completion<V> completion(CompletionHandler<Object, Object> handler, Object attachment) {
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
        done.started();
        return done;
    }

    @Override
    protected void implClose() throws IOException {
        if (shared != null) {
            shared.release(); // a read still on the pool then fails, after its send has ended
        } else {
            channel.close();
        }
    }

}
