package io.proactor.iouring;

import io.netty.channel.uring.IoUringIoOps;

/**
 * The last SQE an operation made for one of its steps, kept with the arguments that vary between submissions
 * of that step: Netty's {@link IoUringIoOps} is immutable, so a step submitted again with the same arguments
 * (a file server sending the same file, from the same offset, through the same buffer or pipe) reuses it and
 * allocates nothing. Loop only.
 */
final class LastSqe {

    private IoUringIoOps sqe;
    private long first;
    private long second;
    private int length;

    /** The kept SQE if it was made with these arguments, else {@code null}: make one and {@link #keep} it. */
    IoUringIoOps reusable(long first, long second, int length) {
        return sqe != null && this.first == first && this.second == second && this.length == length ? sqe : null;
    }

    /** Keeps {@code sqe}, made with these arguments, and returns it. */
    IoUringIoOps keep(IoUringIoOps sqe, long first, long second, int length) {
        this.sqe = sqe;
        this.first = first;
        this.second = second;
        this.length = length;
        return sqe;
    }
}
