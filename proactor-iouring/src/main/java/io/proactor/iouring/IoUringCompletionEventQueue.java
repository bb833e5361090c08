package io.proactor.iouring;

import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.util.concurrent.ThreadAwareExecutor;
import io.proactor.ProactorMetrics;
import io.proactor.core.ProactorLoop;
import io.proactor.core.events.CompletionQueueOverflowEvent;
import io.proactor.spi.CompletionEventQueue;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The io_uring Completion Event Queue: the kernel's completion ring, read through Netty's
 * {@link IoUringIoHandler}, which this class drives from the proactor's own thread (Netty's event loop is
 * not used). Each {@link #awaitAndDispatch} is one {@code IoUringIoHandler.run}: every SQE queued since the
 * last one goes out in one {@code io_uring_enter}, which also waits for completions when nothing else is to
 * do; each CQE is handed to the {@link IoUringIoHandle} of its channel, on this thread.
 *
 * <p>The ring is created in the constructor (so a failure, e.g. under a low {@code RLIMIT_MEMLOCK}, surfaces
 * to whoever builds the group) and enabled on the proactor thread by the first call: Netty sets the ring up
 * with {@code IORING_SETUP_SINGLE_ISSUER}, so the thread that enables it is the only one that may submit.
 */
final class IoUringCompletionEventQueue implements CompletionEventQueue, ThreadAwareExecutor, IoHandlerContext {

    /** {@code IORING_SQ_CQ_OVERFLOW}: the kernel holds completions the completion ring had no room for. */
    private static final int SQ_CQ_OVERFLOW = 1 << 1;
    private static final VarHandle SHARED_INT = MethodHandles.byteBufferViewVarHandle(int[].class,
            ByteOrder.nativeOrder());
    private static final VarHandle OVERFLOWS;

    static {
        try {
            OVERFLOWS = MethodHandles.lookup().findVarHandle(IoUringCompletionEventQueue.class, "overflows", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final IoUringIoHandler handler;
    /** Set only while probing availability: the thread that creates, enables and frees the probe ring. */
    private final Thread probeThread;
    private ProactorLoop loop;
    private Runnable beforeSubmit = () -> { };
    /** Completions the previous {@link #awaitAndDispatch} handed out, and the current one so far. */
    private int previousRunCompletions;
    private int currentRunCompletions;
    private boolean initialized;
    private boolean canBlock;
    private long deadlineNanos;
    /** The submission ring's flags, shared with the kernel; {@code null} where Netty hides them. */
    private ByteBuffer submissionFlags;
    /** The completion ring's size: a run that dispatches this many completions checks for an overflow. */
    private final int completionRingEntries;
    /** Checks that found the completion ring overflowed; loop writes, any thread reads (opaque). */
    private long overflows;
    private boolean overflowed;

    IoUringCompletionEventQueue(IoUringIoHandlerConfig config) {
        this(config, null);
    }

    private IoUringCompletionEventQueue(IoUringIoHandlerConfig config, Thread probeThread) {
        this.probeThread = probeThread;
        this.completionRingEntries = Math.max(1, config.getCqSize());
        this.handler = (IoUringIoHandler) IoUringIoHandler.newFactory(config).newHandler(this);
    }

    /** Binds the proactor whose thread drives the ring; once, before that thread starts. */
    void bind(ProactorLoop owner) {
        this.loop = owner;
    }

    /** Sets work to run on the loop just before each submit (e.g. queueing batched SQEs); once, loop only. */
    void beforeSubmit(Runnable task) {
        this.beforeSubmit = task;
    }

    /** Counts a completion handed to a channel; called by each {@link RingHandle}, loop only. */
    void completionDispatched() {
        if (++currentRunCompletions == completionRingEntries && submissionFlags != null) {
            // A run that reaps a whole ring's worth may have found it full, with more in the kernel's overflow
            // list: Netty flushes that list once this batch is processed, so the flag must be read now.
            checkOverflow();
        }
    }

    /**
     * Whether the current or the previous run handed out at least {@code completions} completions: a busy
     * ring, where work deferred to the next submit is likely to be joined by more of its kind. Loop only.
     */
    boolean busy(int completions) {
        return currentRunCompletions >= completions || previousRunCompletions >= completions;
    }

    /** Registers a channel's handle with the ring; loop only. */
    IoRegistration register(IoUringIoHandle handle) throws Exception {
        ensureInitialized();
        return handler.register(handle);
    }

    /** The ring's file descriptor (to register a buffer ring on it); loop only. */
    int ringFd() {
        ensureInitialized();
        return NettyRingInternals.ringFd(handler);
    }

    private void ensureInitialized() {
        if (!initialized) {
            initialized = true;
            handler.initialize();
            submissionFlags = NettyRingInternals.submissionQueueFlags(handler);
        }
    }

    @Override
    public int awaitAndDispatch(long timeoutNanos) {
        ensureInitialized();
        canBlock = timeoutNanos != 0;
        deadlineNanos = timeoutNanos < 0 ? -1 : System.nanoTime() + timeoutNanos;
        beforeSubmit.run();
        previousRunCompletions = currentRunCompletions;
        currentRunCompletions = 0;
        if (submissionFlags != null) {
            checkOverflow(); // completions that overflowed while the loop was away: the run flushes them
        }
        return handler.run(this);
    }

    /**
     * Counts a check that finds completions in the kernel's overflow list (before each run, and in a run that
     * dispatches a whole ring's worth); one JFR event per episode.
     */
    private void checkOverflow() {
        boolean now = ((int) SHARED_INT.getOpaque(submissionFlags, 0) & SQ_CQ_OVERFLOW) != 0;
        if (now) {
            OVERFLOWS.setOpaque(this, overflows + 1);
            if (!overflowed) {
                CompletionQueueOverflowEvent.emit(loop == null ? "probe" : loop.name());
            }
        }
        overflowed = now;
    }

    /** Runs that found the completion ring overflowed, or -1 where the ring's flags cannot be read. Any thread. */
    long completionQueueOverflows() {
        return submissionFlags == null && initialized ? ProactorMetrics.NOT_AVAILABLE
                : (long) OVERFLOWS.getOpaque(this);
    }

    @Override
    public void wakeup() {
        handler.wakeup();
    }

    @Override
    public void close() {
        ensureInitialized();
        handler.prepareToDestroy();
        handler.destroy();
    }

    // ---- ThreadAwareExecutor: how Netty's handler sees the proactor ----

    @Override
    public boolean isExecutorThread(Thread thread) {
        return loop == null ? thread == probeThread : loop.isProactorThread(thread);
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(task);
    }

    // ---- IoHandlerContext: the proactor's wait policy for one run ----

    @Override
    public boolean canBlock() {
        return canBlock;
    }

    @Override
    public long delayNanos(long currentTimeNanos) {
        return deadlineNanos < 0 ? Long.MAX_VALUE : Math.max(0, deadlineNanos - currentTimeNanos);
    }

    @Override
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /**
     * Creates a ring like the engine's, enables it, tries a buffer ring on it and frees it all again, on the
     * calling thread.
     *
     * @return how receives will get their buffers on rings like this one
     */
    static String probe(IoUringIoHandlerConfig config) {
        IoUringCompletionEventQueue probe = new IoUringCompletionEventQueue(config, Thread.currentThread());
        try {
            if (!IoUringEngine.bufferRingEnabled()) {
                return "PROVIDE_BUFFERS (buffer ring turned off with -D" + IoUringEngine.BUFFER_RING_PROPERTY
                        + "=false)";
            }
            if (NettyRingInternals.unavailabilityCause() != null) {
                return "PROVIDE_BUFFERS (" + NettyRingInternals.unavailabilityCause().getMessage() + ")";
            }
            int fd = probe.ringFd();
            for (int flags : new int[] {NettyRingInternals.PBUF_RING_INCREMENTAL, 0}) {
                try {
                    NettyRingInternals.unregister(fd, NettyRingInternals.register(fd, 1, ReceiveBuffers.GROUP, flags),
                            1, ReceiveBuffers.GROUP);
                    return flags != 0 ? "ring-mapped buffer ring, consumed incrementally (Linux 6.12+)"
                            : "ring-mapped buffer ring (whole buffer per receive: no incremental consumption here)";
                } catch (NettyRingInternals.RingRegistrationException e) {
                    if (e.errno != IoUringSqes.EINVAL || flags == 0) {
                        return "PROVIDE_BUFFERS (" + e.getMessage() + ")";
                    }
                }
            }
            throw new AssertionError();
        } finally {
            probe.close();
        }
    }
}
