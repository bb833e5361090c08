package io.proactor;

import java.nio.ByteBuffer;

/**
 * Received bytes in a buffer the engine owns and lends to the handler of
 * {@link AsyncSocket#receive(Object, CompletionHandler)}.
 *
 * <p>On io_uring the buffer comes from a group provided to the kernel ({@code PROVIDE_BUFFERS}), so an idle
 * connection with a receive pending pins no buffer of its own; other engines lend a pooled buffer.
 *
 * <p><b>Ownership.</b> The holder owns the buffer from the completion until it calls {@link #release()},
 * exactly once, from any thread; after that the buffer must not be touched. A lease that is never released
 * is a leak: the pool shrinks until the group shuts down.
 */
public interface LeasedBuffer {

    /** The received bytes, from position 0 to the limit; the holder may read and move its position. */
    ByteBuffer buffer();

    /**
     * Gives the buffer back to the engine.
     *
     * @throws IllegalStateException if the lease was already released
     */
    void release();
}
