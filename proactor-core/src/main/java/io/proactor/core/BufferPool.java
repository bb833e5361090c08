package io.proactor.core;

import io.proactor.LeasedBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Direct buffers of one size, lent on one proactor's thread and given back from any thread. Keeps at most
 * {@code maxPooled} idle buffers; buffers beyond that are left to the garbage collector.
 *
 * <p><b>Threading.</b> {@link #acquire()} and {@link #close()} on the loop only; {@link LeasedBuffer#release()}
 * from any thread (it hands the buffer back to the loop).
 */
public final class BufferPool {

    private final ProactorLoop loop;
    private final int bufferSize;
    private final int maxPooled;
    private final ArrayDeque<Lease> idle = new ArrayDeque<>();
    private boolean closed;

    public BufferPool(ProactorLoop loop, int bufferSize, int maxPooled) {
        this.loop = loop;
        this.bufferSize = bufferSize;
        this.maxPooled = maxPooled;
    }

    /** Lends a cleared buffer; loop only. */
    public LeasedBuffer acquire() {
        Lease lease = idle.pollFirst();
        if (lease == null) {
            lease = new Lease(ByteBuffer.allocateDirect(bufferSize));
        }
        lease.buffer().clear();
        lease.lend();
        return lease;
    }

    /** Drops the idle buffers; leased ones are dropped when released. Loop only. */
    public void close() {
        closed = true;
        idle.clear();
    }

    private void recycle(Lease lease) {
        if (!closed && idle.size() < maxPooled) {
            idle.addFirst(lease); // last in, first out: the warmest buffer goes out next
        }
    }

    private final class Lease extends LoopLease {
        Lease(ByteBuffer buffer) {
            super(loop, buffer);
        }

        @Override
        protected void recycle() {
            BufferPool.this.recycle(this);
        }
    }
}
