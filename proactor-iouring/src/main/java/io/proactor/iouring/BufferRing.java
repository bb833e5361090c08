package io.proactor.iouring;

import io.netty.channel.unix.Buffer;
import io.proactor.LeasedBuffer;
import io.proactor.core.LoopLease;
import io.proactor.core.ProactorLoop;
import io.proactor.core.events.BufferExhaustedEvent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receive buffers in a ring-mapped provided-buffer ring ({@code IORING_REGISTER_PBUF_RING}): the ring is an
 * array of {@code struct io_uring_buf} shared with the kernel, which takes buffers from its head when data
 * arrives; this class appends buffers at its tail. Giving a buffer back is two stores, with no SQE and no CQE,
 * so recycling costs the same at 10 connections and at 10,000.
 *
 * <pre>
 *   ring memory (entries × 16 bytes)            one buffer, consumed incrementally (Linux 6.12+)
 *   +------+-----+-----+------+                  +--------+--------+--------+----------------+
 *   | addr | len | bid | resv |  entry 0          | conn A | conn B | conn A |  not yet used  |
 *   | u64  | u32 | u16 | u16  |  (resv of entry   +--------+--------+--------+----------------+
 *   +------+-----+-----+------+   0 is the tail)   CQE 1     CQE 2    CQE 3 (F_BUF_MORE on each while
 *   | ...                     |                                       room is left)
 * </pre>
 *
 * <p><b>Incremental consumption</b> ({@code IOU_PBUF_RING_INC}, where the kernel has it): the kernel keeps
 * filling the buffer at the head of the ring, one receive after another, until it is full, so many small
 * messages (of many connections) share one buffer; each CQE says which buffer and whether the kernel will
 * use it again ({@code IORING_CQE_F_BUF_MORE}). The data of a CQE starts where the previous CQE of the same
 * buffer ended. A buffer goes back to the ring when the kernel is done with it and every part lent from it
 * was released. Without incremental consumption each receive takes a whole buffer.
 *
 * <p><b>Budget.</b> The pool starts small and grows (doubling, up to {@code cap} buffers) when the buffers
 * left in the ring fall low or a receive finds it dry ({@code -ENOBUFS}, counted in {@link #exhaustions()}).
 * When traffic needs much less than it holds for a while, buffers coming back are dropped instead of
 * returned, down to the initial few; a pool with no receive at all for a while starts over with its initial
 * buffers ({@link #idleCheck()}). At the cap a dry ring makes receives wait for a buffer; nothing is lost,
 * since {@code -ENOBUFS} consumes no data. Idle connections hold no buffer at any size.
 *
 * <p><b>Leases.</b> Each lent part is a {@link LeasedBuffer} whose buffer is a view of the whole provided
 * buffer, positioned on the received bytes; views are reused, so steady-state receiving allocates nothing.
 *
 * <p><b>Threading.</b> Loop only, except {@link LeasedBuffer#release()}, which hands back to the loop.
 */
final class BufferRing implements ReceiveBuffers {

    /** {@code IORING_CQE_F_BUF_MORE}: the kernel will put more data into this buffer. */
    static final int CQE_F_BUF_MORE = 1 << 4;
    private static final int ENTRY_BYTES = 16;
    private static final int ENTRY_LEN = 8;
    private static final int ENTRY_BID = 12;
    /** The ring's tail overlays the reserved field of entry 0. */
    private static final int TAIL = 14;
    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class,
            ByteOrder.nativeOrder());
    static final int INITIAL_BUFFERS = 4;
    /** Receives re-armed per buffer in the ring while some wait for one; an incremental buffer takes several. */
    private static final int WAKE_PER_BUFFER = 4;
    /** How long the pool must be mostly unused before it shrinks. */
    private static final long SHRINK_AFTER_NANOS = 2_000_000_000L;
    /** How often a grown pool looks for a quiet period, in which it shrinks back to its initial buffers. */
    static final long IDLE_CHECK_MILLIS = 500;
    private static final Logger LOG = LoggerFactory.getLogger(BufferRing.class);

    private final ProactorLoop loop;
    private final int ringFd;
    private final int size;
    private final int cap;
    private final int entries;
    private final boolean incremental;
    private ByteBuffer ring;
    private short tail;
    private int lendsSinceCheck;
    private boolean idleCheckScheduled;

    // per buffer id
    private final ByteBuffer[] memory;
    private final int[] consumed;       // bytes the kernel has filled so far (incremental)
    private final int[] leases;         // parts lent and not yet released
    private final boolean[] inKernel;   // in the ring, or being filled
    private final Lease[] spareViews;   // released leases of this buffer, for reuse (a linked stack)
    private final int[] unusedIds;      // ids with no memory: [0, unusedCount)
    private int unusedCount;

    private int buffers;        // ids with memory
    private int inRing;         // of those, in the kernel's hands
    private int keep;           // buffers coming back beyond this are dropped
    private int lent;
    private long exhaustions;
    private long shrinks;
    private int peakInUse;      // most buffers out of the kernel's hands since windowStart
    private long windowStart;
    private int recycles;
    private final WaitingReceives waiting = new WaitingReceives();
    private boolean closed;

    private BufferRing(ProactorLoop loop, int ringFd, ByteBuffer ring, int entries, boolean incremental, int size,
                       int cap) {
        this.loop = loop;
        this.ringFd = ringFd;
        this.ring = ring;
        this.entries = entries;
        this.incremental = incremental;
        this.size = size;
        this.cap = cap;
        this.memory = new ByteBuffer[cap];
        this.consumed = new int[cap];
        this.leases = new int[cap];
        this.inKernel = new boolean[cap];
        this.spareViews = new Lease[cap];
        this.unusedIds = new int[cap];
        start();
    }

    /** Fills an empty, freshly registered ring with the initial buffers. */
    private void start() {
        Arrays.fill(memory, null);
        Arrays.fill(spareViews, null);
        Arrays.fill(inKernel, false);
        unusedCount = 0;
        for (int id = cap - 1; id >= 0; id--) {
            unusedIds[unusedCount++] = id;
        }
        buffers = 0;
        inRing = 0;
        tail = 0;
        keep = cap;
        peakInUse = 0;
        windowStart = System.nanoTime();
        grow(Math.min(INITIAL_BUFFERS, cap));
    }

    /**
     * Registers a buffer ring of up to {@code cap} buffers of {@code size} bytes as group
     * {@link ReceiveBuffers#GROUP} on the ring {@code ringFd}, incrementally consumed where the kernel can.
     * Loop only (the ring accepts registrations from its submitter thread only).
     *
     * @throws NettyRingInternals.RingRegistrationException if the kernel has no buffer rings
     */
    static BufferRing register(ProactorLoop loop, int ringFd, int size, int cap, boolean tryIncremental)
            throws NettyRingInternals.RingRegistrationException {
        int entries = Integer.highestOneBit(cap) == cap ? cap : Integer.highestOneBit(cap) << 1;
        ByteBuffer ring;
        boolean incremental = tryIncremental;
        try {
            ring = registerRing(ringFd, entries, incremental);
        } catch (NettyRingInternals.RingRegistrationException e) {
            if (!incremental || e.errno != IoUringSqes.EINVAL) {
                throw e;
            }
            incremental = false; // a kernel before 6.12: whole buffers per receive
            ring = registerRing(ringFd, entries, false);
        }
        return new BufferRing(loop, ringFd, ring, entries, incremental, size, cap);
    }

    private static ByteBuffer registerRing(int ringFd, int entries, boolean incremental)
            throws NettyRingInternals.RingRegistrationException {
        return NettyRingInternals.register(ringFd, entries, GROUP,
                incremental ? NettyRingInternals.PBUF_RING_INCREMENTAL : 0);
    }


    @Override
    public boolean ready() {
        return !closed;
    }

    boolean incremental() {
        return incremental;
    }


    @Override
    public LeasedBuffer lend(int res, int flags) {
        int id = flags >>> IoUringSqes.CQE_BUFFER_SHIFT;
        int start = consumed[id];
        if (incremental && (flags & CQE_F_BUF_MORE) != 0) {
            consumed[id] = start + res;
        } else {
            kernelDone(id);
        }
        Lease lease = spareViews[id];
        if (lease != null) {
            spareViews[id] = lease.nextSpare;
            lease.nextSpare = null;
        } else {
            lease = new Lease(id, memory[id].duplicate());
        }
        lease.buffer().clear().position(start).limit(start + res);
        lease.lend();
        leases[id]++;
        lent++;
        lendsSinceCheck++;
        if (inRing <= buffers / 4 && buffers < cap) {
            grow(buffers); // running low: double before a receive finds the ring dry
        }
        return lease;
    }

    /**
     * A CQE that names a buffer but carries no data. A whole-buffer ring consumed that buffer for nothing, so it
     * goes back. On an incremental ring a commit of 0 bytes does not move the ring's head (kernel
     * {@code io_kbuf_inc_commit}), so the buffer is still the kernel's, though the CQE lacks {@code F_BUF_MORE}:
     * giving it back would put it in the ring twice. (Linux 6.18 names no buffer for an end of stream at all.)
     */
    @Override
    public void giveBack(int flags) {
        if (incremental) {
            return;
        }
        int id = flags >>> IoUringSqes.CQE_BUFFER_SHIFT;
        kernelDone(id);
        if (leases[id] == 0) {
            recycle(id);
        }
    }

    private void kernelDone(int id) {
        inKernel[id] = false;
        inRing--;
        int inUse = buffers - inRing;
        if (inUse > peakInUse) {
            peakInUse = inUse;
        }
    }

    /**
     * A receive found the ring dry: the pool grows if it may, and the receive waits in line. The CQE may be
     * older than buffers given back since; either way {@link #wakeWaiters()} re-arms waiting receives, a few
     * per buffer in the ring, before the loop's next submit.
     */
    @Override
    public void exhausted(Runnable retry) {
        exhaustions++;
        Totals.EXHAUSTIONS.increment();
        BufferExhaustedEvent.emit(loop.name(), lent());
        if (buffers < cap) {
            grow(buffers);
        }
        waiting.add(retry);
    }

    /** Runs just before each submit: re-arms waiting receives, {@value #WAKE_PER_BUFFER} per buffer in the ring. */
    void wakeWaiters() {
        waiting.wake(inRing * WAKE_PER_BUFFER);
    }

    private void returned(Lease lease) {
        lent--;
        int id = lease.id;
        if (closed) {
            return;
        }
        lease.nextSpare = spareViews[id];
        spareViews[id] = lease;
        if (--leases[id] == 0 && !inKernel[id]) {
            recycle(id);
        }
    }

    /** A buffer the kernel is done with and nobody holds: back into the ring, or dropped if the pool shrinks. */
    private void recycle(int id) {
        if ((++recycles & 255) == 0) {
            long now = System.nanoTime();
            if (now - windowStart > SHRINK_AFTER_NANOS) {
                // mostly unused for a while: let the pool fall back to twice what the busiest moment needed
                keep = peakInUse * 4 < buffers ? Math.max(INITIAL_BUFFERS, peakInUse * 2) : cap;
                peakInUse = buffers - inRing;
                windowStart = now;
            }
        }
        if (buffers > keep && waiting.isEmpty()) {
            memory[id] = null; // the collector frees it; a stale reference in user code stays memory-safe
            spareViews[id] = null;
            unusedIds[unusedCount++] = id;
            buffers--;
            return;
        }
        provide(id);
        publishTail();
    }

    private void grow(int more) {
        int n = Math.min(more, cap - buffers);
        for (int i = 0; i < n; i++) {
            int id = unusedIds[--unusedCount];
            memory[id] = Buffer.allocateDirectWithNativeOrder(size);
            buffers++;
            provide(id);
        }
        keep = cap;
        publishTail();
        if (n > 0) {
            LOG.debug("buffer ring grew by {} to {} buffers of {} bytes", n, buffers, size);
        }
        if (buffers > INITIAL_BUFFERS && !idleCheckScheduled) {
            idleCheckScheduled = true;
            loop.schedule(this::idleCheck, IDLE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A grown pool with no receive for a whole check period and nothing lent starts over with its initial
     * buffers. Buffers already in the ring cannot be taken back one by one, so the ring is unregistered and
     * registered afresh: the memory of everything it held goes. A multishot receive armed meanwhile is not
     * disturbed; one whose data arrived in that instant ends with {@code -ENOBUFS} and is re-armed, as when
     * the ring runs dry.
     */
    private void idleCheck() {
        idleCheckScheduled = false;
        if (closed) {
            return;
        }
        if (lendsSinceCheck > 0 || lent > 0) {
            lendsSinceCheck = 0;
            idleCheckScheduled = true;
            loop.schedule(this::idleCheck, IDLE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        int before = buffers;
        NettyRingInternals.unregister(ringFd, ring, entries, GROUP);
        ring = null;
        try {
            ring = registerRing(ringFd, entries, incremental);
        } catch (NettyRingInternals.RingRegistrationException e) {
            LOG.error("the buffer ring could not be registered again; receives on this proactor fail from now", e);
            closed = true;
            return;
        }
        start();
        shrinks++;
        LOG.debug("idle buffer ring shrank from {} to {} buffers", before, buffers);
    }

    /** Writes buffer {@code id} into the next free ring entry; the kernel sees it at {@link #publishTail()}. */
    private void provide(int id) {
        int at = (tail & (entries - 1)) * ENTRY_BYTES;
        ring.putLong(at, NettyRingInternals.addressOf(memory[id]));
        ring.putInt(at + ENTRY_LEN, size);
        ring.putShort(at + ENTRY_BID, (short) id);
        tail++;
        consumed[id] = 0;
        inKernel[id] = true;
        inRing++;
    }

    /** Makes the entries written so far visible to the kernel: a release store of the tail. */
    private void publishTail() {
        SHORT.setRelease(ring, TAIL, tail);
    }

    @Override
    public int lent() {
        return lent;
    }

    /** What this ring is, for logs and JFR. */
    @Override
    public String toString() {
        return "ring-mapped buffer ring" + (incremental ? ", consumed incrementally" : "") + ", buffers of "
                + size + " bytes";
    }

    @Override
    public long exhaustions() {
        return exhaustions;
    }

    /** Times an idle pool started over with its initial buffers; a diagnostic. */
    long shrinks() {
        return shrinks;
    }

    /** Buffers with memory right now; a diagnostic. */
    int buffers() {
        return buffers;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        waiting.clear();
        if (ring == null) {
            return; // a failed re-registration left none
        }
        try {
            NettyRingInternals.unregister(ringFd, ring, entries, GROUP);
        } catch (RuntimeException e) {
            LOG.warn("closing the buffer ring", e);
        }
        ring = null;
        // leases still held stay valid: their memory goes when the last reference does
        Arrays.fill(memory, null);
        Arrays.fill(spareViews, null);
    }

    private final class Lease extends LoopLease {
        final int id;
        Lease nextSpare;

        Lease(int id, ByteBuffer view) {
            super(loop, view);
            this.id = id;
        }

        @Override
        protected void recycle() {
            returned(this);
        }
    }
}
