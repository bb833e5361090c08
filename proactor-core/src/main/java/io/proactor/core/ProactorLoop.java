package io.proactor.core;

import io.proactor.AsyncFile;
import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.Engine;
import io.proactor.Initiator;
import io.proactor.OperationKind;
import io.proactor.Proactor;
import io.proactor.ProactorMetrics;
import io.proactor.ProactorOpenOption;
import io.proactor.spi.AsynchronousOperationProcessor;
import io.proactor.spi.CompletionEventQueue;
import java.io.IOException;
import java.nio.channels.ShutdownChannelGroupException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Proactor} every completion-based engine runs: the {@link EventLoop} whose wait-and-dispatch step
 * is its engine's {@link CompletionEventQueue} (wait for completion events, call their handlers). The engine
 * supplies the queue and the {@link AsynchronousOperationProcessor}; the loop itself knows nothing about how
 * operations are executed.
 *
 * <p><b>Threading.</b> Public methods may be called from any thread; methods documented "loop only" must be
 * called on the loop's thread.
 *
 * <p><b>Shutdown.</b> {@link #shutdown(long)} closes every registered channel, then keeps dispatching until
 * no operation is in flight (engines count them with {@link #operationStarted()} and
 * {@link #operationFinished()}) and no task is queued, or until the deadline; then it closes the processor and
 * the queue and ends the thread.
 */
public final class ProactorLoop extends EventLoop implements Proactor {

    private static final Logger LOG = LoggerFactory.getLogger(ProactorLoop.class);

    private final Engine engine;
    private final CompletionEventQueue queue;
    /** Dropped at termination, so that a group kept after close holds no engine memory. */
    private volatile AsynchronousOperationProcessor processor;
    private final Set<Initiator> channels = ConcurrentHashMap.newKeySet();
    private int inFlight;
    private final OperationCounter[] operationCounters = new OperationCounter[OperationKind.values().length];
    private volatile EngineCounters engineCounters = EngineCounters.NONE;

    /**
     * @param processorFactory makes this loop's processor; called once, in this constructor. If it throws,
     *                         the queue is closed and the exception propagates.
     */
    public ProactorLoop(String name, Engine engine, CompletionEventQueue queue,
                        Function<ProactorLoop, AsynchronousOperationProcessor> processorFactory) {
        this(name, engine, queue, false, processorFactory);
    }

    /**
     * Like {@link #ProactorLoop(String, Engine, CompletionEventQueue, Function)}; a {@code driven} loop's thread
     * runs the engine's own event loop (see {@link EventLoop}), which its processor makes with
     * {@link #driverThreadFactory()}, and whose events the engine passes to {@link #dispatchDriven}.
     */
    public ProactorLoop(String name, Engine engine, CompletionEventQueue queue, boolean driven,
                        Function<ProactorLoop, AsynchronousOperationProcessor> processorFactory) {
        super(name, false, driven);
        this.engine = Objects.requireNonNull(engine, "engine");
        this.queue = Objects.requireNonNull(queue, "queue");
        for (int i = 0; i < operationCounters.length; i++) {
            operationCounters[i] = new OperationCounter();
        }
        try {
            this.processor = processorFactory.apply(this);
        } catch (RuntimeException | Error e) {
            queue.close();
            throw e;
        }
    }

    @Override
    public Engine engine() {
        return engine;
    }

    /** This loop's Asynchronous Operation Processor, for its engine's own use. */
    public AsynchronousOperationProcessor processor() {
        AsynchronousOperationProcessor p = processor;
        if (p == null) {
            throw new ShutdownChannelGroupException();
        }
        return p;
    }

    @Override
    public boolean inProactorThread() {
        return inLoop();
    }

    /** {@code true} if {@code t} is this loop's thread. */
    public boolean isProactorThread(Thread t) {
        return isLoopThread(t);
    }

    @Override
    public AsyncSocket openSocket() throws IOException {
        checkRunning();
        return register(processor().openSocket());
    }

    @Override
    public AsyncServerSocket openServerSocket() throws IOException {
        checkRunning();
        return register(processor().openServerSocket());
    }

    @Override
    public <A> void openFile(Path path, Set<? extends OpenOption> options, A attachment,
                             CompletionHandler<AsyncFile, ? super A> handler) {
        Objects.requireNonNull(path, "'path' is null");
        Objects.requireNonNull(options, "'options' is null");
        Objects.requireNonNull(handler, "'handler' is null");
        for (OpenOption o : options) {
            if (!(o instanceof StandardOpenOption) && o != ProactorOpenOption.DIRECT) {
                throw new UnsupportedOperationException("open option " + o + " is not supported; use "
                        + "StandardOpenOption values and ProactorOpenOption.DIRECT");
            }
        }
        checkRunning();
        processor().openFile(path, options, attachment, new CompletionHandler<AsyncFile, A>() {
            @Override
            public void completed(AsyncFile file, A att) {
                try {
                    register(file);
                } catch (ShutdownChannelGroupException e) {
                    Handlers.fail(handler, e, att);
                    return;
                }
                Handlers.complete(handler, file, att);
            }

            @Override
            public void failed(Throwable exc, A att) {
                Handlers.fail(handler, exc, att);
            }
        });
    }

    /**
     * Tracks {@code channel} so that shutdown closes it; a channel made while the loop shuts down is closed
     * and refused with {@link ShutdownChannelGroupException}. Any thread.
     */
    public <T extends Initiator> T register(T channel) {
        channels.add(channel);
        if (isShuttingDown()) {
            channels.remove(channel);
            channel.close();
            throw new ShutdownChannelGroupException();
        }
        return channel;
    }

    /** Stops tracking a closed channel; any thread. */
    public void deregister(Initiator channel) {
        channels.remove(channel);
    }

    /** This loop's counter of operations of {@code kind}, for the slots of its channels. */
    public OperationCounter operationCounter(OperationKind kind) {
        return operationCounters[kind.ordinal()];
    }

    /** Sets where the engine's own figures come from (io_uring's); any thread, before or after start. */
    public void engineCounters(EngineCounters counters) {
        this.engineCounters = Objects.requireNonNull(counters, "counters");
    }

    @Override
    protected EngineCounters engineCounters() {
        return engineCounters;
    }

    @Override
    protected Map<OperationKind, ProactorMetrics.OperationCounts> operationCounts() {
        Map<OperationKind, ProactorMetrics.OperationCounts> counts = new EnumMap<>(OperationKind.class);
        for (OperationKind kind : OperationKind.values()) {
            counts.put(kind, operationCounters[kind.ordinal()].snapshot());
        }
        return counts;
    }

    /**
     * Counts an engine-level operation handed to the engine (an SQE, a JDK call), for the shutdown's drain;
     * loop only. Not the per-kind counts of {@link #metrics()}, which the channels keep per user operation.
     */
    public void operationStarted() {
        inFlight++;
    }

    /** Counts an operation whose completion the engine delivered; loop only. */
    public void operationFinished() {
        inFlight--;
    }

    private void checkRunning() {
        if (isShuttingDown()) {
            throw new ShutdownChannelGroupException();
        }
    }

    @Override
    protected int awaitAndDispatch(long timeoutNanos) {
        return queue.awaitAndDispatch(timeoutNanos);
    }

    @Override
    protected void wakeup() {
        queue.wakeup();
    }

    @Override
    protected void closeChannels() {
        for (Initiator c : new ArrayList<>(channels)) {
            c.close();
        }
    }

    @Override
    protected boolean quiescent() {
        return inFlight == 0 && channels.isEmpty();
    }

    @Override
    protected String unfinishedWork() {
        return inFlight + " operations in flight and " + channels.size() + " channels open";
    }

    @Override
    protected void closeResources() {
        try {
            processor.close();
        } catch (Throwable t) {
            LOG.warn("proactor {}: closing the operation processor failed", name(), t);
        }
        processor = null;
        try {
            queue.close();
        } catch (Throwable t) {
            LOG.warn("proactor {}: closing the completion event queue failed", name(), t);
        }
    }
}
