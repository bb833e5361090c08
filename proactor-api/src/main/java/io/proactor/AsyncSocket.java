package io.proactor;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A TCP socket whose operations complete asynchronously: an {@link Initiator}.
 *
 * <p>Obtained from {@link Proactor#openSocket()} (then {@link #connect connected}) or from
 * {@link AsyncServerSocket#accept}. At most one read-side operation ({@code read} or {@code receive}) and one
 * write-side operation ({@code write} or {@code transferFrom}) may be pending at a time; a second one throws
 * {@link java.nio.channels.ReadPendingException} or {@link java.nio.channels.WritePendingException} at once.
 *
 * <p><b>Buffer ownership.</b> A buffer passed to {@code read} or {@code write} belongs to the engine from the
 * call until the completion handler runs: the caller must not read, write or reposition it in between.
 * On completion its position has advanced by the number of bytes transferred.
 *
 * <p><b>Timeouts.</b> A {@code timeout} of 0 means none. When a timeout elapses the operation fails with
 * {@link java.nio.channels.InterruptedByTimeoutException} and the socket is closed (its other pending
 * operations fail with {@link java.nio.channels.AsynchronousCloseException}), on every engine alike.
 *
 * <p><b>Threading.</b> Any thread may call any method; handlers run on {@link #proactor()}'s thread, never
 * inside the initiating call. Each initiating method has a {@link CompletableFuture} form, completed on the
 * proactor's thread.
 */
public interface AsyncSocket extends Initiator {

    /** Connects to {@code remote}, failing with {@link java.nio.channels.InterruptedByTimeoutException} after {@code timeout}. */
    <A> void connect(SocketAddress remote, long timeout, TimeUnit unit, A attachment,
                     CompletionHandler<Void, ? super A> handler);

    /** Reads into {@code dst}; the result is the number of bytes read, or -1 at end of stream. */
    <A> void read(ByteBuffer dst, long timeout, TimeUnit unit, A attachment,
                  CompletionHandler<Integer, ? super A> handler);

    /**
     * Reads into a buffer chosen by the engine when data arrives, instead of one the caller pins in advance.
     * The result is a {@link LeasedBuffer} the handler must release, or {@code null} at end of stream.
     */
    <A> void receive(long timeout, TimeUnit unit, A attachment,
                     CompletionHandler<LeasedBuffer, ? super A> handler);

    /** Writes some of {@code src}'s remaining bytes (at least one); the result is how many. */
    <A> void write(ByteBuffer src, long timeout, TimeUnit unit, A attachment,
                   CompletionHandler<Integer, ? super A> handler);

    /** Gathering write from {@code srcs[offset .. offset+length)}; the result is the number of bytes written. */
    <A> void write(ByteBuffer[] srcs, int offset, int length, long timeout, TimeUnit unit, A attachment,
                   CompletionHandler<Long, ? super A> handler);

    /**
     * Sends {@code count} bytes of {@code file} from {@code position}, with no copy through user space where
     * the engine can ({@link EngineFeatures#zeroCopyTransfer()}). Occupies the write side
     * until done. The result is the number of bytes sent: {@code count}, or fewer if the file ended first.
     */
    <A> void transferFrom(AsyncFile file, long position, long count, A attachment,
                          CompletionHandler<Long, ? super A> handler);

    /**
     * Sends the remaining bytes of {@code headers[offset .. offset+length)}, then {@code count} bytes of
     * {@code file} from {@code position}, as one write-side operation: what {@code sendfile} with a header
     * vector (FreeBSD) or {@code TransmitFile} (Windows) do. Sent apart, a short response head and a small
     * file leave in two TCP segments; an engine that can join them sends them in one (io_uring: the headers go
     * with {@code MSG_MORE}, so the kernel holds them until the file's bytes follow). The headers' positions
     * advance as they are sent. The result is the number of the file's bytes sent, as for
     * {@link #transferFrom(AsyncFile, long, long, Object, CompletionHandler)}: {@code count}, or fewer if the
     * file ended first.
     */
    <A> void transferFrom(ByteBuffer[] headers, int offset, int length, AsyncFile file, long position, long count,
                          A attachment, CompletionHandler<Long, ? super A> handler);

    /** Shuts down the output side (sends FIN) once; further writes fail. */
    <A> void shutdownOutput(A attachment, CompletionHandler<Void, ? super A> handler);

    /** Sets a socket option (e.g. {@link java.net.StandardSocketOptions#TCP_NODELAY}); synchronous. */
    <T> AsyncSocket setOption(SocketOption<T> name, T value) throws IOException;

    <T> T getOption(SocketOption<T> name) throws IOException;

    /** The local address, or {@code null} if not bound. */
    SocketAddress localAddress() throws IOException;

    /** The remote address, or {@code null} if not connected. */
    SocketAddress remoteAddress() throws IOException;

    // ---- forms without timeout and CompletableFuture forms ----

    default <A> void connect(SocketAddress remote, A attachment, CompletionHandler<Void, ? super A> handler) {
        connect(remote, 0, TimeUnit.NANOSECONDS, attachment, handler);
    }

    default CompletableFuture<Void> connect(SocketAddress remote) {
        return connect(remote, 0, TimeUnit.NANOSECONDS);
    }

    default CompletableFuture<Void> connect(SocketAddress remote, long timeout, TimeUnit unit) {
        FutureHandler<Void> f = new FutureHandler<>();
        connect(remote, timeout, unit, null, f);
        return f;
    }

    default <A> void read(ByteBuffer dst, A attachment, CompletionHandler<Integer, ? super A> handler) {
        read(dst, 0, TimeUnit.NANOSECONDS, attachment, handler);
    }

    default CompletableFuture<Integer> read(ByteBuffer dst) {
        return read(dst, 0, TimeUnit.NANOSECONDS);
    }

    default CompletableFuture<Integer> read(ByteBuffer dst, long timeout, TimeUnit unit) {
        FutureHandler<Integer> f = new FutureHandler<>();
        read(dst, timeout, unit, null, f);
        return f;
    }

    default <A> void receive(A attachment, CompletionHandler<LeasedBuffer, ? super A> handler) {
        receive(0, TimeUnit.NANOSECONDS, attachment, handler);
    }

    default CompletableFuture<LeasedBuffer> receive() {
        FutureHandler<LeasedBuffer> f = new FutureHandler<>();
        receive(0, TimeUnit.NANOSECONDS, null, f);
        return f;
    }

    default <A> void write(ByteBuffer src, A attachment, CompletionHandler<Integer, ? super A> handler) {
        write(src, 0, TimeUnit.NANOSECONDS, attachment, handler);
    }

    default CompletableFuture<Integer> write(ByteBuffer src) {
        FutureHandler<Integer> f = new FutureHandler<>();
        write(src, 0, TimeUnit.NANOSECONDS, null, f);
        return f;
    }

    default CompletableFuture<Long> write(ByteBuffer... srcs) {
        FutureHandler<Long> f = new FutureHandler<>();
        write(srcs, 0, srcs.length, 0, TimeUnit.NANOSECONDS, null, f);
        return f;
    }

    default CompletableFuture<Long> transferFrom(AsyncFile file, long position, long count) {
        FutureHandler<Long> f = new FutureHandler<>();
        transferFrom(file, position, count, null, f);
        return f;
    }

    default CompletableFuture<Long> transferFrom(ByteBuffer[] headers, AsyncFile file, long position, long count) {
        FutureHandler<Long> f = new FutureHandler<>();
        transferFrom(headers, 0, java.util.Objects.requireNonNull(headers, "'headers' is null").length, file, position,
                count, null, f);
        return f;
    }

    default CompletableFuture<Void> shutdownOutput() {
        FutureHandler<Void> f = new FutureHandler<>();
        shutdownOutput(null, f);
        return f;
    }
}
