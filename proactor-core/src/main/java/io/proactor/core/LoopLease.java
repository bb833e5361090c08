package io.proactor.core;

import io.proactor.LeasedBuffer;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link LeasedBuffer} whose pool lives on one proactor: {@link #release()} may come from any thread and is
 * handed to the loop, where {@link #recycle()} puts the buffer back. Releasing twice throws.
 */
public abstract class LoopLease implements LeasedBuffer {

    private final ProactorLoop loop;
    private final ByteBuffer buffer;
    private final AtomicBoolean leased = new AtomicBoolean();

    protected LoopLease(ProactorLoop loop, ByteBuffer buffer) {
        this.loop = loop;
        this.buffer = buffer;
    }

    /** Marks the buffer as lent; loop only. */
    public final void lend() {
        leased.set(true);
    }

    /** Puts the buffer back into its pool; runs on the loop. */
    protected abstract void recycle();

    @Override
    public final ByteBuffer buffer() {
        return buffer;
    }

    @Override
    public final void release() {
        if (!leased.compareAndSet(true, false)) {
            throw new IllegalStateException("this buffer was already released");
        }
        if (loop.inProactorThread()) {
            recycle();
        } else {
            try {
                loop.execute(this::recycle);
            } catch (RejectedExecutionException terminated) {
                // the pool is gone with its loop; the buffer goes to the garbage collector
            }
        }
    }
}
