package io.proactor.core;

/**
 * A write's completion handler that also takes the byte count unboxed: {@link OperationSlot#completeBytes} calls
 * this method instead of {@code completed(Long, A)}, so that a write of the connection core (one per response)
 * boxes no {@code Long}. Engines' handlers of their own and users' handlers get the boxed count as before.
 */
interface ByteCountHandler {

    /** The write completed, having written {@code bytes}. */
    void completed(long bytes);
}
