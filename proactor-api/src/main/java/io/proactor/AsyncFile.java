package io.proactor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * An open file whose reads, writes and syncs complete asynchronously, at explicit positions: an
 * {@link Initiator}. Obtained from {@link Proactor#openFile}.
 *
 * <p>Any number of operations may be pending at once. Opened with {@link ProactorOpenOption#DIRECT}, positions,
 * lengths and buffer addresses must be block-aligned; a misaligned operation fails with an
 * {@link IOException} whose message says what was misaligned.
 *
 * <p><b>Buffer ownership.</b> A buffer passed to {@code read} or {@code write} belongs to the engine until
 * the handler runs. <b>Threading</b>: as for every initiator, any thread may call; handlers run on
 * {@link #proactor()}'s thread.
 */
public interface AsyncFile extends Initiator {

    /** The path this file was opened with. */
    Path path();

    /** The file's current size in bytes; synchronous (one {@code fstat}). */
    long size() throws IOException;

    /** Reads into {@code dst} from {@code position}; the result is the byte count, or -1 at or past the end. */
    <A> void read(ByteBuffer dst, long position, A attachment, CompletionHandler<Integer, ? super A> handler);

    /** Writes {@code src}'s remaining bytes at {@code position}; the result is the byte count (may be short). */
    <A> void write(ByteBuffer src, long position, A attachment, CompletionHandler<Integer, ? super A> handler);

    /** Flushes written data to the device ({@code fsync}, or {@code fdatasync} when {@code metaData} is false). */
    <A> void force(boolean metaData, A attachment, CompletionHandler<Void, ? super A> handler);

    default CompletableFuture<Integer> read(ByteBuffer dst, long position) {
        FutureHandler<Integer> f = new FutureHandler<>();
        read(dst, position, null, f);
        return f;
    }

    default CompletableFuture<Integer> write(ByteBuffer src, long position) {
        FutureHandler<Integer> f = new FutureHandler<>();
        write(src, position, null, f);
        return f;
    }

    default CompletableFuture<Void> force(boolean metaData) {
        FutureHandler<Void> f = new FutureHandler<>();
        force(metaData, null, f);
        return f;
    }
}
