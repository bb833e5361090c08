package io.proactor.iouring;

import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.uring.IoUringIoOps;
import io.proactor.core.OperationSlot;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * {@code transferFrom} a file on the same ring: the file's bytes go file → pipe → socket with {@code SPLICE},
 * never through user space, in chunks of at most {@link #PIPE_CHUNK}. Headers, if any, go first with
 * {@code SENDMSG} and {@code MSG_MORE}, so the file's last send pushes them out together: a short response
 * leaves in one segment, not two.
 *
 * <p>One SQE at a time, in this order:
 * <pre>
 *   HEADERS* → ( SPLICE_IN → ( SPLICE_OUT | POLL_WRITABLE )+ )*
 * </pre>
 * so one tag serves the whole chain and {@link #stage} says which SQE a CQE answers. The pipe is made on the
 * first transfer and kept for the socket's life. The SQEs of the last splices are kept too ({@link LastSqe}):
 * sending the same file again makes none.
 */
final class TransferOperation extends SocketOperation {

    private static final int PIPE_CHUNK = 64 * 1024;
    private static final int HEADERS = 1;
    private static final int SPLICE_IN = 2;
    private static final int SPLICE_OUT = 3;
    private static final int POLL_WRITABLE = 4;

    private IoUringIoOps sendmsgMore; // prepared once: it points at the socket's msghdr, rewritten per send
    private IoUringIoOps pollWritable; // prepared once
    private final LastSqe lastSpliceIn = new LastSqe();
    private final LastSqe lastSpliceOut = new LastSqe();
    private FileDescriptor[] pipe;
    private int stage;
    private OperationSlot slot;
    private int fileFd;
    private long position;
    private long remaining;
    private long sent;
    private int inPipe;
    private ByteBuffer[] headers; // headers still to send ahead of the file: [headerFirst, headerEnd)
    private int headerFirst;
    private int headerEnd;

    TransferOperation(IoUringAsyncSocket socket) {
        super(socket);
    }

    /** Starts sending {@code count} bytes of {@code file} from {@code position}. */
    void start(IoUringAsyncFile file, long position, long count, OperationSlot slot) {
        if (prepare(file, position, count, slot)) {
            spliceIn();
        }
    }

    /** Starts sending {@code headers[offset .. offset+length)} (direct buffers), then the file as above. */
    void start(ByteBuffer[] headers, int offset, int length, IoUringAsyncFile file, long position, long count,
               OperationSlot slot) {
        if (prepare(file, position, count, slot)) {
            this.headers = headers;
            headerFirst = offset;
            headerEnd = offset + length;
            sendHeaders();
        }
    }

    private boolean prepare(IoUringAsyncFile file, long position, long count, OperationSlot slot) {
        if (pipe == null) {
            try {
                pipe = FileDescriptor.pipe();
            } catch (IOException e) {
                failLater(slot, e);
                return false;
            }
        }
        this.slot = slot;
        fileFd = file.fd();
        this.position = position;
        remaining = count;
        sent = 0;
        return true;
    }

    private void sendHeaders() {
        while (headerFirst < headerEnd && !headers[headerFirst].hasRemaining()) {
            headerFirst++;
        }
        if (headerFirst == headerEnd) {
            headers = null;
            spliceIn();
            return;
        }
        SocketScratch scratch = socket.scratch();
        scratch.msghdr(headers, headerFirst, Math.min(headerEnd - headerFirst, SocketScratch.MAX_IOV));
        if (sendmsgMore == null) {
            sendmsgMore = IoUringSqes.sendmsgMore(fd, scratch.msghdrAddress(), tag);
        }
        submit(HEADERS, sendmsgMore);
    }

    private void spliceIn() {
        if (remaining == 0) {
            complete();
            return;
        }
        int length = (int) Math.min(remaining, PIPE_CHUNK);
        IoUringIoOps sqe = lastSpliceIn.reusable(fileFd, position, length);
        if (sqe == null) {
            sqe = lastSpliceIn.keep(IoUringSqes.splice(fileFd, position, pipe[1].intValue(), IoUringSqes.NO_OFFSET,
                    length, tag), fileFd, position, length);
        }
        submit(SPLICE_IN, sqe);
    }

    private void spliceOut() {
        IoUringIoOps sqe = lastSpliceOut.reusable(0, 0, inPipe);
        if (sqe == null) {
            sqe = lastSpliceOut.keep(IoUringSqes.splice(pipe[0].intValue(), IoUringSqes.NO_OFFSET, fd,
                    IoUringSqes.NO_OFFSET, inPipe, tag), 0, 0, inPipe);
        }
        submit(SPLICE_OUT, sqe);
    }

    private void submit(int stage, IoUringIoOps sqe) {
        this.stage = stage;
        submit(sqe, slot, 0, 0);
    }

    @Override
    void onCompletion(int res, int flags) {
        switch (stage) {
            case HEADERS -> {
                if (res > 0) {
                    SendOperation.advance(headers, headerFirst, headerEnd, res);
                    sendHeaders();
                } else {
                    fail(res == 0 ? -IoUringSqes.EPIPE : res, "send"); // 0 bytes offered: the stream takes no more
                }
            }
            case SPLICE_IN -> {
                if (res > 0) {
                    position += res;
                    remaining -= res;
                    inPipe = res;
                    spliceOut();
                } else if (res == 0) {
                    complete(); // the file ended first
                } else {
                    fail(res, "splice");
                }
            }
            case SPLICE_OUT -> {
                if (res > 0) {
                    sent += res;
                    inPipe -= res;
                    if (inPipe > 0) {
                        spliceOut();
                    } else {
                        spliceIn();
                    }
                } else if (res == -IoUringSqes.EAGAIN) {
                    // SPLICE does not wait on a non-blocking socket (unlike SEND): wait for room, then retry
                    if (pollWritable == null) {
                        pollWritable = IoUringSqes.pollWritable(fd, tag);
                    }
                    submit(POLL_WRITABLE, pollWritable);
                } else {
                    fail(res == 0 ? -IoUringSqes.EPIPE : res, "splice");
                }
            }
            case POLL_WRITABLE -> {
                if (res >= 0) {
                    spliceOut();
                } else {
                    fail(res, "poll");
                }
            }
            default -> throw new IllegalStateException("a CQE with no transfer stage pending: " + stage);
        }
    }

    private void complete() {
        OperationSlot s = slot;
        slot = null;
        headers = null;
        s.completeBytes(sent);
    }

    private void fail(int res, String operation) {
        OperationSlot s = slot;
        slot = null;
        headers = null;
        fail(s, res, operation);
    }

    /** Closes the pipe, if one was made; with the socket's descriptor, once nothing is in flight. */
    void closePipe() {
        if (pipe != null) {
            for (FileDescriptor p : pipe) {
                try {
                    p.close();
                } catch (IOException ignored) {
                    // the socket's close error, if any, is the one worth reporting
                }
            }
        }
    }
}
