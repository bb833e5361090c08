package io.proactor.core;

import io.proactor.CompletionHandler;

/**
 * A write's completion handler that also takes the byte count unboxed: {@link OperationSlot#completeBytes} calls
 * {@link #completed(long)} instead of {@code completed(Long, A)}, so that a write of the connection core (one per
 * response) boxes no {@code Long}. Engines' handlers of their own and users' handlers get the boxed count as before.
 */
interface ByteCountHandler extends CompletionHandler<Long, Void> {

    /** The write completed, having written {@code bytes}. */
    void completed(long bytes);

    @Override
    default void completed(Long bytes, Void unused) {
        completed(bytes.longValue());
    }
}
