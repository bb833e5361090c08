package io.proactor.nio2;

import io.proactor.CompletionHandler;
import io.proactor.core.AbstractAsyncFile;
import io.proactor.core.Handlers;
import io.proactor.core.ProactorLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@link AsyncFile} on a JDK {@link AsynchronousFileChannel} (blocking {@code pread}/{@code pwrite} on the
 * group's file pool). Any number of operations may be pending, so each gets its own completion object.
 */
final class Nio2AsyncFile extends AbstractAsyncFile {

    private final Nio2CompletionEventQueue queue;
    private final AsynchronousFileChannel channel;
    private final ExecutorService files;

    Nio2AsyncFile(ProactorLoop loop, Nio2CompletionEventQueue queue, AsynchronousFileChannel channel,
                  ExecutorService files, Path path) {
        super(loop, path);
        this.queue = queue;
        this.channel = channel;
        this.files = files;
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    protected void implRead(ByteBuffer dst, long position, CompletionHandler<Object, Object> handler, Object attachment) {
        Nio2Completion<Integer> done = completion(handler, attachment);
        try {
            channel.read(dst, position, null, done);
        } catch (RuntimeException e) {
            done.refused(e);
        }
    }

    @Override
    protected void implWrite(ByteBuffer src, long position, CompletionHandler<Object, Object> handler, Object attachment) {
        Nio2Completion<Integer> done = completion(handler, attachment);
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
        try {
            files.execute(() -> {
                try {
                    channel.force(metaData);
                    done.completed(null, null);
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
        channel.close();
    }

}
