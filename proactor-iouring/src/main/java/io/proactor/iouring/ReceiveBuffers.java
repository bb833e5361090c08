package io.proactor.iouring;

import io.proactor.LeasedBuffer;
import io.proactor.core.ProactorLoop;
import io.proactor.core.events.RingFallbackEvent;
import io.proactor.core.events.RingSetupEvent;
import org.slf4j.LoggerFactory;

/**
 * One proactor's pool of receive buffers that the kernel picks from only when data arrives (provided buffers,
 * group {@link #GROUP}): a {@code RECV} with {@code BUFFER_SELECT} names the group instead of a buffer, so an
 * idle connection with a receive pending holds no memory. Two mechanisms, chosen when the ring is set up:
 * <ul>
 *   <li>{@link BufferRing}: a ring-mapped buffer ring (Linux 5.19+; consumed incrementally on 6.12+); giving a
 *       buffer back is a store into shared memory, with no SQE and no CQE;</li>
 *   <li>{@link ProvidedBuffers}: the older {@code PROVIDE_BUFFERS} request, one SQE and one CQE per batch
 *       of buffers given back; used where buffer rings are not available.</li>
 * </ul>
 *
 * <p><b>Threading.</b> Loop only, except {@link LeasedBuffer#release()}, which hands back to the loop.
 */
interface ReceiveBuffers {

    /** The buffer group every receive names, whichever mechanism provides it. */
    short GROUP = 1;

    /**
     * A buffer ring of up to {@code count} buffers of {@code size} bytes, or, where the kernel or Netty
     * cannot register one or {@code tryBufferRing} is false, {@code PROVIDE_BUFFERS} with {@code count}
     * buffers. Loop only.
     */
    static ReceiveBuffers open(ProactorLoop loop, IoUringCompletionEventQueue ring, int size, int count,
                               boolean tryBufferRing) {
        String why;
        if (!tryBufferRing) {
            why = "-D" + IoUringEngine.BUFFER_RING_PROPERTY + "=false";
        } else if (NettyRingInternals.unavailabilityCause() != null) {
            why = NettyRingInternals.unavailabilityCause().getMessage();
        } else {
            try {
                BufferRing buffers = BufferRing.register(loop, ring.ringFd(), size, count, true);
                ring.beforeSubmit(buffers::wakeWaiters);
                RingSetupEvent.emit(loop.name(), "receive buffers", buffers.toString());
                return buffers;
            } catch (NettyRingInternals.RingRegistrationException e) {
                why = e.getMessage();
            }
        }
        LoggerFactory.getLogger(ReceiveBuffers.class).debug("receive buffers use PROVIDE_BUFFERS: {}", why);
        RingFallbackEvent.emit(loop.name(), "PROVIDE_BUFFERS", why);
        ProvidedBuffers buffers = new ProvidedBuffers(loop, ring, size, count);
        ring.beforeSubmit(buffers::provideReleased);
        return buffers;
    }


    /** Makes the group ready for receives (on first use); loop only. {@code false} if the ring refused. */
    boolean ready();

    /**
     * The data of a receive's CQE ({@code res > 0} bytes, {@code flags} with {@code IORING_CQE_F_BUFFER}), lent
     * to the caller until it releases it.
     */
    LeasedBuffer lend(int res, int flags);

    /** A CQE that names a buffer but carries no data (end of stream, an error): the buffer goes back. */
    void giveBack(int flags);

    /**
     * A receive ended with {@code -ENOBUFS}: the group was dry and nothing was read. The pool grows if it may;
     * {@code retry} runs on the loop once the pool has a buffer for it.
     */
    void exhausted(Runnable retry);

    /** Buffers (or parts of buffers) lent to handlers right now; a diagnostic. */
    int lent();

    /** Receives that found the group dry so far; loop writes, any thread may read (racily, for metrics). */
    long exhaustions();


    void close();

    /** Counts over every pool of this JVM, for soak reports (per-pool figures are on each pool). */
    final class Totals {
        /** Receives that found a pool dry. */
        static final java.util.concurrent.atomic.LongAdder EXHAUSTIONS = new java.util.concurrent.atomic.LongAdder();

        private Totals() {
        }
    }
}
