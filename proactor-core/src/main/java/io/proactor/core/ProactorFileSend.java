package io.proactor.core;

import io.proactor.AsyncFile;
import io.proactor.CompletionHandler;
import io.proactor.SharedFile;
import io.proactor.spi.AsynchronousOperationProcessor;
import java.io.EOFException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * A file queued on a {@link ProactorConnection}: opened when it (or the chunks sent ahead of it) reaches the
 * head of the queue, sent by its strategy ({@link ZeroCopyFileSend}, {@link CopyingFileSend},
 * {@link DirectIoFileSend}), closed. A {@link SharedFile} is not opened but adopted by the engine's processor
 * ({@link AsynchronousOperationProcessor#adoptFile}, given back with {@code endAdoption}); the send holds a reference to it from
 * the moment it is queued until it ends or is dropped unstarted ({@link #abandon}). Loop thread only, like the
 * connection.
 */
abstract class ProactorFileSend {

    private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ);

    final ProactorConnection connection;
    Path path;
    long position;
    long count;
    private SharedFile shared; // the reference this send holds, until it ends
    private AsyncFile file;
    private boolean adopted; // file was lent by the processor (adoptFile): given back, not closed
    private boolean done;

    /** A send of {@code shared} (if not null; this send holds the reference the caller took) or of {@code path}. */
    ProactorFileSend(ProactorConnection connection, Path path, SharedFile shared, long position, long count) {
        this.connection = connection;
        describe(path, shared, position, count);
    }

    /**
     * Sets what is sent, as a new send: {@code shared} (if not null, its reference taken by the caller) or else
     * {@code path}. For constructors, and for a send that ended and is used again.
     */
    private void describe(Path path, SharedFile shared, long position, long count) {
        this.path = path;
        this.shared = shared;
        this.position = position;
        this.count = count;
        file = null;
        adopted = false;
        done = false;
    }

    /** Makes this send, which has ended, a new one (see {@link ProactorConnection#recycle}). */
    final ProactorFileSend reuse(Path path, SharedFile shared, long position, long count) {
        describe(path, shared, position, count);
        restart();
        return this;
    }

    /** Forgets the progress of the send that ended, for {@link #reuse}; a kind that is never reused has none. */
    void restart() {
    }

    /**
     * How the file is opened: for reading through the page cache, unless a strategy says otherwise; a constant,
     * as opening a file per send should allocate no more than it must.
     */
    Set<? extends OpenOption> openOptions() {
        return READ;
    }

    /**
     * Whether it sends the connection's chunks in flight (queued just before it) together with the file;
     * otherwise they were sent on their own first.
     */
    boolean sendsChunksAhead() {
        return true;
    }

    /** Sends the opened file; ends with {@link #finish}. */
    abstract void send(AsyncFile opened);

    final void start() {
        if (shared != null && openOptions() == READ) {
            AsyncFile lent;
            try {
                lent = processor().adoptFile(shared);
            } catch (RuntimeException e) {
                finish(e);
                return;
            }
            if (lent != null) {
                adopted = true;
                opened(lent);
                return;
            }
        }
        connection.socket.proactor().openFile(path, openOptions(), null, new CompletionHandler<AsyncFile, Object>() {
            @Override
            public void completed(AsyncFile opened, Object a) {
                opened(opened);
            }

            @Override
            public void failed(Throwable exc, Object a) {
                finish(exc);
            }
        });
    }

    private void opened(AsyncFile opened) {
        file = opened;
        if (connection.closed) {
            finish(null);
        } else {
            send(opened);
        }
    }

    final EOFException endedEarly(long sent) {
        return new EOFException(path + " ended after " + sent + " of " + count + " bytes");
    }

    /** Closes the file and moves on; the first call wins (late completions of a failed send are ignored). */
    final void finish(Throwable error) {
        if (done) {
            return;
        }
        done = true;
        if (adopted) {
            processor().endAdoption(file);
        } else if (file != null) {
            file.close();
        }
        abandon();
        connection.fileSendFinished(this, error);
        connection.recycle(this); // last: nothing of this send runs after it
    }

    private AsynchronousOperationProcessor processor() {
        return ((ProactorLoop) connection.socket.proactor()).processor();
    }

    /** Drops the shared file's reference this send holds (once): it ended, or it is dropped without starting. */
    final void abandon() {
        if (shared != null) {
            shared.release();
            shared = null;
        }
    }
}
