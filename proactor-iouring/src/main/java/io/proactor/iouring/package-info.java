/**
 * The {@code io_uring} engine ({@link io.proactor.iouring.IoUringEngine}): each proactor owns one ring, driven
 * through Netty 4.2's raw io_uring API; the kernel executes operations and its completion ring is the
 * completion event queue.
 *
 * <h2>Threading</h2>
 * SQEs are written and CQEs read on the proactor's thread only; one {@code io_uring_enter} per loop iteration
 * submits what the iteration queued. Other threads reach a ring through the proactor's {@code execute}.
 *
 * <h2>Buffer ownership</h2>
 * The kernel owns a buffer from submission until its CQE (the last one, for multishot operations); closing
 * cancels in-flight SQEs and frees their buffers only when the cancelled CQEs have arrived. Heap buffers go
 * through a direct one, since the kernel cannot be given heap memory. Receive buffers belong to the proactor's
 * buffer ring (or {@code PROVIDE_BUFFERS} group) and are lent to the handler until released.
 */
package io.proactor.iouring;
