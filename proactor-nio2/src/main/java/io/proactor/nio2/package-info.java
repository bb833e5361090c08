/**
 * The {@code nio2} engine ({@link io.proactor.nio2.Nio2Engine}): the JDK's {@code AsynchronousSocketChannel},
 * {@code AsynchronousServerSocketChannel} and {@code AsynchronousFileChannel} execute operations.
 *
 * <h2>Threading</h2>
 * Each proactor's JDK channel group has one thread, the proactor's: the JDK performs an operation started there
 * at once when it can, and otherwise waits on epoll on that same thread, performs it when the socket is ready and
 * calls the handler there; the proactor loop runs its tasks and timers after each callback. File operations run
 * on a pool and post their completions to the proactor's queue. Every user handler runs on the proactor's thread,
 * never inside the call that started the operation.
 *
 * <h2>Buffer ownership</h2>
 * A buffer given to the JDK belongs to the JDK until its callback has run; a pending {@code receive} pins a
 * pooled buffer, returned to the pool when the lease is released.
 */
package io.proactor.nio2;
