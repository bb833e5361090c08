package io.proactor;

import java.nio.ByteBuffer;

/**
 * Received bytes in a buffer the engine owns and lends to the handler of
 * {@link AsyncSocket#receive(Object, CompletionHandler)}.
 *
 * <p>On io_uring the buffer comes from a pool provided to the kernel (a ring-mapped buffer ring, or
 * {@code PROVIDE_BUFFERS} on older kernels), so an idle connection with a receive pending pins no buffer of its
 * own; other engines lend a pooled buffer.
 *
 * <p><b>Ownership.</b> The holder owns the buffer from the completion until it calls {@link #release()},
 * exactly once, from any thread; after that the buffer must not be touched. A lease that is never released
 * is a leak: the pool shrinks until the group shuts down.
 */
public interface LeasedBuffer {

    /**
     * The received bytes, from the buffer's position to its limit (the position need not be 0: on io_uring
     * many small receives may share one provided buffer); the holder may read and move the position.
     */
    ByteBuffer buffer();

    /**
     * Gives the buffer back to the engine.
     *
     * @throws IllegalStateException if the lease was already released
     */
    void release();
}
