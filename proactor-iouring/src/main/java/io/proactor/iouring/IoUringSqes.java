package io.proactor.iouring;

import io.netty.channel.uring.IoUringIoOps;

/**
 * The kernel ABI this engine speaks (from {@code <linux/io_uring.h>}; Netty keeps its own constants
 * package-private), and one factory method per submission queue entry the engine prepares. Each method names
 * the SQE fields it fills, in the order of {@link IoUringIoOps}'s constructor:
 *
 * <pre>
 *   opcode, flags, ioprio, fd, off|addr2 (union1), addr|splice_off_in (union2), len, op flags (union3),
 *   user data, buf_index|buf_group (union4), personality, splice_fd_in (union5), addr3 (union6)
 * </pre>
 *
 * The user data is the small tag of the {@link RingOperation} that submits the SQE (see {@link RingHandle}): it
 * fits Netty's fast path, which packs it with the registration id, and it comes back as
 * {@code IoUringIoEvent.userData()}.
 */
final class IoUringSqes {

    // opcodes
    static final byte FSYNC = 3;
    static final byte POLL_ADD = 6;
    static final byte SENDMSG = 9;
    static final byte ACCEPT = 13;
    static final byte ASYNC_CANCEL = 14;
    static final byte LINK_TIMEOUT = 15;
    static final byte CONNECT = 16;
    static final byte OPENAT = 18;
    static final byte READ = 22;
    static final byte WRITE = 23;
    static final byte RECV = 27;
    static final byte SPLICE = 30;
    static final byte PROVIDE_BUFFERS = 31;
    static final byte SHUTDOWN = 34;

    // IOSQE_* flags
    static final byte IO_LINK = 1 << 2;
    static final byte BUFFER_SELECT = 1 << 5;

    // CQE flags
    static final int CQE_F_BUFFER = 1;
    static final int CQE_F_MORE = 2;
    static final int CQE_BUFFER_SHIFT = 16;

    static final short ACCEPT_MULTISHOT = 1;
    static final short RECV_MULTISHOT = 2;
    static final int FSYNC_DATASYNC = 1;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_MORE = 0x8000;
    static final int SOCK_NONBLOCK_CLOEXEC = 0x800 | 0x80000;
    static final int SHUT_WR = 1;
    static final int POLLOUT = 0x4;
    static final int AT_FDCWD = -100;
    /** "no offset" for splice ends that are pipes or sockets */
    static final long NO_OFFSET = -1L;

    // errno values that change what the engine does
    static final int EAGAIN = 11;
    static final int EPIPE = 32;
    static final int EINVAL = 22;
    static final int ENOBUFS = 105;
    static final int ECONNRESET = 104;
    static final int ECONNREFUSED = 111;
    static final int ETIME = 62;
    static final int ECANCELED = 125;

    private IoUringSqes() {
    }

    private static IoUringIoOps sqe(byte op, byte flags, short ioPrio, int fd, long union1, long union2, int len,
                                    int union3, int tag, short union4, int union5) {
        return new IoUringIoOps(op, flags, ioPrio, fd, union1, union2, len, union3, (long) tag, union4, (short) 0,
                union5, 0L);
    }

    static IoUringIoOps recv(int fd, long address, int length, byte flags, int tag) {
        return sqe(RECV, flags, (short) 0, fd, 0, address, length, 0, tag, (short) 0, 0);
    }

    /**
     * Multishot RECV into buffers the kernel picks from {@code group} as data arrives: one SQE, one CQE per
     * chunk received, armed until it fails, meets the end of stream or is cancelled.
     */
    static IoUringIoOps recvMultishotProvided(int fd, short group, int tag) {
        return sqe(RECV, BUFFER_SELECT, RECV_MULTISHOT, fd, 0, 0, 0, 0, tag, group, 0);
    }

    static IoUringIoOps sendmsg(int fd, long msghdrAddress, byte flags, int tag) {
        return sqe(SENDMSG, flags, (short) 0, fd, 0, msghdrAddress, 1, MSG_NOSIGNAL, tag, (short) 0, 0);
    }

    /** SENDMSG with {@code MSG_MORE}: the kernel keeps the bytes back until more follow (as with TCP_CORK). */
    static IoUringIoOps sendmsgMore(int fd, long msghdrAddress, int tag) {
        return sqe(SENDMSG, (byte) 0, (short) 0, fd, 0, msghdrAddress, 1, MSG_NOSIGNAL | MSG_MORE, tag, (short) 0, 0);
    }

    static IoUringIoOps connect(int fd, long sockaddrAddress, int sockaddrLength, byte flags, int tag) {
        return sqe(CONNECT, flags, (short) 0, fd, sockaddrLength, sockaddrAddress, 0, 0, tag, (short) 0, 0);
    }

    static IoUringIoOps multishotAccept(int fd, int tag) {
        return sqe(ACCEPT, (byte) 0, ACCEPT_MULTISHOT, fd, 0, 0, 0, SOCK_NONBLOCK_CLOEXEC, tag, (short) 0, 0);
    }

    static IoUringIoOps shutdownOutput(int fd, int tag) {
        return sqe(SHUTDOWN, (byte) 0, (short) 0, fd, 0, 0, SHUT_WR, 0, tag, (short) 0, 0);
    }

    /** A timeout for the SQE queued just before, which must carry {@link #IO_LINK}. */
    static IoUringIoOps linkTimeout(long timespecAddress, int tag) {
        return sqe(LINK_TIMEOUT, (byte) 0, (short) 0, -1, 0, timespecAddress, 1, 0, tag, (short) 0, 0);
    }

    static IoUringIoOps cancel(long targetUserData, int tag) {
        return sqe(ASYNC_CANCEL, (byte) 0, (short) 0, -1, 0, targetUserData, 0, 0, tag, (short) 0, 0);
    }

    static IoUringIoOps splice(int fdIn, long offIn, int fdOut, long offOut, int length, int tag) {
        return sqe(SPLICE, (byte) 0, (short) 0, fdOut, offOut, offIn, length, 0, tag, (short) 0, fdIn);
    }

    /** One-shot wait until {@code fd} is writable. */
    static IoUringIoOps pollWritable(int fd, int tag) {
        return sqe(POLL_ADD, (byte) 0, (short) 0, fd, 0, 0, 0, POLLOUT, tag, (short) 0, 0);
    }

    static IoUringIoOps provideBuffers(short group, long address, int bufferSize, int count, int firstId, int tag) {
        return sqe(PROVIDE_BUFFERS, (byte) 0, (short) 0, count, firstId, address, bufferSize, 0, tag, group, 0);
    }

    static IoUringIoOps openat(long pathAddress, int openFlags, int mode, int tag) {
        return sqe(OPENAT, (byte) 0, (short) 0, AT_FDCWD, 0, pathAddress, mode, openFlags, tag, (short) 0, 0);
    }

    static IoUringIoOps read(int fd, long position, long address, int length, int tag) {
        return sqe(READ, (byte) 0, (short) 0, fd, position, address, length, 0, tag, (short) 0, 0);
    }

    /** READ carrying {@code IOSQE_IO_LINK}: the next SQE starts only after it, and is cancelled if it fails or falls short. */
    static IoUringIoOps readLinked(int fd, long position, long address, int length, int tag) {
        return sqe(READ, IO_LINK, (short) 0, fd, position, address, length, 0, tag, (short) 0, 0);
    }

    static IoUringIoOps write(int fd, long position, long address, int length, int tag) {
        return sqe(WRITE, (byte) 0, (short) 0, fd, position, address, length, 0, tag, (short) 0, 0);
    }

    static IoUringIoOps fsync(int fd, boolean dataOnly, int tag) {
        return sqe(FSYNC, (byte) 0, (short) 0, fd, 0, 0, 0, dataOnly ? FSYNC_DATASYNC : 0, tag, (short) 0, 0);
    }
}
