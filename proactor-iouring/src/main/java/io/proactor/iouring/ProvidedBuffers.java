package io.proactor.iouring;

import io.netty.channel.uring.IoUringIoOps;
import io.proactor.LeasedBuffer;
import io.proactor.core.LoopLease;
import io.proactor.core.ProactorLoop;
import io.proactor.core.events.BufferExhaustedEvent;
import java.nio.ByteBuffer;
import java.util.BitSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fallback {@link ReceiveBuffers} for kernels without buffer rings (before 5.19), or when the buffer ring
 * is turned off ({@code -Dproactor.iouring.bufferRing=false}). One proactor's receive buffers, handed to the
 * kernel with {@code PROVIDE_BUFFERS} as buffer group
 * {@link #GROUP}: a receive names the group instead of a buffer, and the kernel takes one only when data
 * arrives. An idle connection with a receive pending therefore holds no memory; memory is bounded by
 * {@code count × size} per proactor, whatever the number of connections.
 *
 * <p>Each buffer is lent to the receive's handler as a {@link LeasedBuffer}. On a busy ring released buffers
 * are collected and handed back by {@link #provideReleased()} just before the ring's next submit, one
 * {@code PROVIDE_BUFFERS} per run of consecutive ids rather than one per buffer: each SQE and its CQE cost
 * kernel and loop time, and the kernel hands buffers out in the order they were provided, so buffers come
 * back mostly in runs. On a quiet ring (few completions in this run and the last) a released buffer goes back
 * at once, so its
 * SQE joins the submit Netty makes right after dispatching completions instead of costing an
 * {@code io_uring_enter} of its own. The SQEs are prepared on first use and reused (runs are split into
 * power-of-two lengths), so recycling allocates nothing in steady state. When the group runs dry a receive ends with {@code -ENOBUFS} without consuming
 * data; the socket waits here and is re-armed when a buffer comes back.
 *
 * <p><b>Threading.</b> Loop only, except {@link LeasedBuffer#release()}, which hands back to the loop.
 */
final class ProvidedBuffers implements ReceiveBuffers {

    /** Completions per ring run from which released buffers wait for the next submit to go back together. */
    private static final int BUSY_RING_COMPLETIONS = 4;
    private static final Logger LOG = LoggerFactory.getLogger(ProvidedBuffers.class);

    private final ProactorLoop loop;
    private final IoUringCompletionEventQueue ring;
    private final RingHandle handle;
    private final ProvideOperation provide;
    private final int size;
    private final int count;
    private final long baseAddress;
    // dropped on close, so the memory is freed even while something still refers to the group
    private ByteBuffer memory;
    private Lease[] leases;
    /** Ids released since the last {@link #provideReleased()}. */
    private final BitSet released;
    /** {@code provideRun[k][id]}: provides the {@code 2^k} buffers from {@code id}; prepared on first use. */
    private IoUringIoOps[][] provideRun;
    private final WaitingReceives waiting = new WaitingReceives();
    private boolean provided;
    private boolean closed;
    private int lent;
    private long provideSubmissions;
    private long exhaustions;

    ProvidedBuffers(ProactorLoop loop, IoUringCompletionEventQueue ring, int size, int count) {
        this.loop = loop;
        this.ring = ring;
        this.size = size;
        this.count = count;
        this.memory = ByteBuffer.allocateDirect(size * count);
        this.baseAddress = NettyRingInternals.addressOf(memory);
        this.leases = new Lease[count];
        this.released = new BitSet(count);
        this.provideRun = new IoUringIoOps[Integer.numberOfTrailingZeros(Integer.highestOneBit(count)) + 1][];
        for (int id = 0; id < count; id++) {
            leases[id] = new Lease(id, memory.slice(id * size, size));
        }
        this.handle = new RingHandle(ring, loop, () -> { });
        this.provide = new ProvideOperation(handle);
    }



    /** Hands the whole group to the kernel on first use; loop only. */
    @Override
    public boolean ready() {
        if (!provided) {
            provided = handle.submit(IoUringSqes.provideBuffers(GROUP, baseAddress, size, count, 0, provide.tag),
                    provide, false);
            provideSubmissions++;
        }
        return provided;
    }

    @Override
    public LeasedBuffer lend(int length, int flags) {
        Lease lease = leases[flags >>> IoUringSqes.CQE_BUFFER_SHIFT];
        lease.buffer().clear().limit(length);
        lease.lend();
        lent++;
        return lease;
    }

    @Override
    public void giveBack(int flags) {
        lent++;
        recycle(leases[flags >>> IoUringSqes.CQE_BUFFER_SHIFT]);
    }

    /**
     * The group is fixed: {@code retry} waits in line and is re-armed by {@link #provideReleased()} once a buffer
     * is in the kernel's hands (the {@code -ENOBUFS} CQE may be older than a release in the same run).
     */
    @Override
    public void exhausted(Runnable retry) {
        exhaustions++;
        Totals.EXHAUSTIONS.increment();
        BufferExhaustedEvent.emit(loop.name(), lent());
        waiting.add(retry);
    }

    @Override
    public int lent() {
        return lent;
    }

    @Override
    public long exhaustions() {
        return exhaustions;
    }

    /** {@code PROVIDE_BUFFERS} SQEs queued so far, the first one included (a diagnostic). */
    long provideSubmissions() {
        return provideSubmissions;
    }

    private void recycle(Lease lease) {
        lent--;
        if (!closed) {
            released.set(lease.id);
            if (!ring.busy(BUSY_RING_COMPLETIONS)) {
                provideRuns();
            }
        }
    }

    /**
     * Queues the buffers released since the last call back to the kernel, then re-arms as many waiting receives
     * as buffers are not lent (their SQEs follow the provides in the same submit); called before each ring run.
     */
    void provideReleased() {
        if (closed) {
            return;
        }
        provideRuns();
        if (provided) {
            waiting.wake(count - lent);
        }
    }

    /** One {@code PROVIDE_BUFFERS} per run of consecutive released ids. */
    private void provideRuns() {
        for (int first = released.nextSetBit(0); first >= 0; ) {
            int end = released.nextClearBit(first);
            released.clear(first, end);
            for (int n = end - first; n > 0; ) {
                int log = 31 - Integer.numberOfLeadingZeros(n);
                handle.submit(provideRun(log, first), provide, false);
                provideSubmissions++;
                first += 1 << log;
                n -= 1 << log;
            }
            first = released.nextSetBit(end);
        }
    }

    private IoUringIoOps provideRun(int log, int first) {
        IoUringIoOps[] runs = provideRun[log];
        if (runs == null) {
            runs = provideRun[log] = new IoUringIoOps[count];
        }
        IoUringIoOps op = runs[first];
        if (op == null) {
            op = runs[first] = IoUringSqes.provideBuffers(GROUP, baseAddress + (long) first * size, size, 1 << log,
                    first, provide.tag);
        }
        return op;
    }

    @Override
    public void close() {
        closed = true;
        waiting.clear();
        handle.cancelAndClose();
        memory = null;
        leases = null;
        provideRun = null;
    }

    /** Every {@code PROVIDE_BUFFERS} of the pool: its CQE only reports a failure. */
    private static final class ProvideOperation extends RingOperation {

        ProvideOperation(RingHandle handle) {
            super(handle);
        }

        @Override
        void onCompletion(int res, int flags) {
            if (res < 0) {
                LOG.warn("PROVIDE_BUFFERS failed: {}", IoUringErrors.socket("provide_buffers", res).getMessage());
            }
        }
    }

    private final class Lease extends LoopLease {
        final int id;

        Lease(int id, ByteBuffer buffer) {
            super(loop, buffer);
            this.id = id;
        }

        @Override
        protected void recycle() {
            ProvidedBuffers.this.recycle(this);
        }
    }
}
