package io.proactor.protocol;

import io.proactor.SharedFile;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Executor;

/**
 * One TCP connection as a protocol handler sees it, on any engine.
 *
 * <p><b>Output.</b> {@link #write} and {@link #sendFile} queue output that the engine sends in order.
 * {@code write} copies the bytes, so the caller keeps its buffer. While more than the high-water mark of
 * {@link ConnectionOptions} is queued, the engine stops reading from this connection, and reads resume once
 * the queue is back under the low-water mark: a fast sender cannot make a slow receiver's server buffer
 * without bound.
 *
 * <p><b>Threading.</b> Every method may be called from any thread; calls made from the connection's callback
 * thread take effect in call order. After the connection closed, output calls are ignored.
 */
public interface Connection {

    /** Queues {@code data}'s remaining bytes for sending; {@code data}'s position moves to its limit. */
    void write(ByteBuffer data);

    /**
     * Queues {@code count} bytes of the file at {@code path}, from {@code position}, sent without a copy
     * through user space where the engine can. If the file cannot be opened or is shorter than asked, the
     * connection is aborted with that error (the peer would otherwise wait for bytes that never come).
     */
    void sendFile(Path path, long position, long count);

    /** How {@link #sendFile(Path, long, long, FileSendMode)} moves a file's bytes to the socket. */
    enum FileSendMode {
        /** Page cache to socket with no copy through user space ({@code SPLICE}, {@code transferTo}). */
        ZERO_COPY,
        /**
         * Asynchronous {@code O_DIRECT} reads into aligned buffers, two in flight, each sent when read: a large
         * file neither blocks the loop nor fills the page cache (nginx's {@code aio} + {@code directio}).
         * Engines without asynchronous file reads send the file {@link #ZERO_COPY} instead.
         */
        DIRECT_IO,
        /**
         * Read through the page cache into the connection's output buffers and sent with the output queued just
         * before it (a response head): one copy, but no hand-off to the kernel's workers, which on io_uring
         * costs more than copying a small file ({@code SPLICE} always runs on an io-wq thread). Memory is bounded
         * (a few buffers at a time), so any size works, but it pays off for small files only. The Reactor engine
         * copies ranges of up to 64 KiB (one {@code pread} instead of the three system calls of the JDK's
         * {@code transferTo}) and sends larger ones {@link #ZERO_COPY}; the virtual-thread engine always sends
         * {@link #ZERO_COPY}.
         */
        COPY
    }

    /**
     * Queues part of a file like {@link #sendFile(Path, long, long)}, moved the way {@code mode} says. Any
     * position and count work with {@link FileSendMode#DIRECT_IO}: the engine reads whole aligned blocks and
     * sends only the bytes asked for.
     */
    default void sendFile(Path path, long position, long count, FileSendMode mode) {
        sendFile(path, position, count);
    }

    /**
     * Queues part of an already open {@link SharedFile}, moved the way {@code mode} says: nothing is opened or
     * closed per send (what an open-file cache is for). The connection takes a reference of its own here and
     * drops it when the send has ended, whatever way it ends, so the caller may release its reference as soon as
     * this returns. {@link FileSendMode#DIRECT_IO} opens the file's path again, with {@code O_DIRECT}, as the
     * shared descriptor reads through the page cache. If the file ends before {@code position + count}, the
     * connection is aborted, as with {@link #sendFile(Path, long, long)}.
     *
     * @throws IllegalStateException the file was already closed (its last reference dropped)
     */
    void sendFile(SharedFile file, long position, long count, FileSendMode mode);

    /** Sends FIN once queued output is sent; reading continues. */
    void shutdownOutput();

    /** Closes the connection once queued output is sent (orderly close). Idempotent. */
    void close();

    /** Closes at once, discarding queued output; {@code onClose} receives {@code cause}. Idempotent. */
    void abort(Throwable cause);

    boolean isOpen();

    /** Bytes queued by {@link #write} and not yet sent. */
    long queuedBytes();

    SocketAddress localAddress();

    SocketAddress remoteAddress();

    /** Runs tasks on this connection's callback thread, in order with its callbacks. */
    Executor executor();

    /** The object attached with {@link #attach}, or {@code null}. */
    Object attachment();

    void attach(Object attachment);
}
