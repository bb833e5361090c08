/**
 * The {@code nio2} engine ({@link io.proactor.nio2.Nio2Engine}): the JDK's {@code AsynchronousSocketChannel},
 * {@code AsynchronousServerSocketChannel} and {@code AsynchronousFileChannel} execute operations; their
 * callbacks, on the JDK channel group's threads, post each completion to the owning proactor's queue.
 *
 * <h2>Threading</h2>
 * Only the completion callbacks run on JDK threads, and they touch nothing but the proactor's MPSC queue;
 * everything else, including every user handler, runs on the proactor's thread.
 *
 * <h2>Buffer ownership</h2>
 * A buffer given to the JDK belongs to the JDK until its callback has run; a pending {@code receive} pins a
 * pooled buffer, returned to the pool when the lease is released.
 */
package io.proactor.nio2;
