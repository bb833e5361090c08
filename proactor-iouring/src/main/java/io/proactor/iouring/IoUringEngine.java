package io.proactor.iouring;

import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.util.internal.PlatformDependent;
import io.proactor.EngineFeatures;
import io.proactor.EngineUnavailableException;
import io.proactor.ProactorGroupConfig;
import io.proactor.core.AbstractProactorEngine;
import io.proactor.core.DefaultProactorGroup;
import io.proactor.core.ProactorLoop;
import io.proactor.core.events.RingFallbackEvent;
import io.proactor.core.events.RingSetupEvent;

/**
 * The io_uring engine: the kernel is the Asynchronous Operation Processor, its completion ring the
 * Completion Event Queue; each proactor owns one ring, driven through Netty 4.2's raw io_uring API
 * ({@code IoUringIoHandler} with this engine's own handles and SQEs; Netty's channels are not used).
 *
 * <p><b>Availability</b> is decided once, by creating and freeing a real ring of the configured size:
 * {@code IoUring.isAvailable()} alone can say yes where creating the ring then fails (a low
 * {@code RLIMIT_MEMLOCK}). The cause says what to change. On an OS other than Linux, or where no native library
 * for this CPU is on the class path (this module brings Netty's for linux-x86_64 and linux-aarch_64), it says
 * so, and {@code Engines.best()} picks the nio2 engine with one log line giving the reason.
 *
 * <p>System properties: {@value #RING_SIZE_PROPERTY} (submission queue entries per ring, default
 * {@value #DEFAULT_RING_SIZE}; the completion queue has four times as many, at most 65536); {@value #BUFFER_RING_PROPERTY}
 * ({@code true} by default: receive buffers in a ring-mapped buffer ring where the kernel has them;
 * {@code false} forces the older {@code PROVIDE_BUFFERS}).
 */
public final class IoUringEngine extends AbstractProactorEngine {

    public static final String NAME = "io_uring";
    public static final String RING_SIZE_PROPERTY = "proactor.iouring.ringSize";
    /** {@code true} (default): receive buffers in a ring-mapped buffer ring; {@code false}: PROVIDE_BUFFERS. */
    public static final String BUFFER_RING_PROPERTY = "proactor.iouring.bufferRing";
    static final int DEFAULT_RING_SIZE = 4096;
    /** The kernel's IORING_MAX_ENTRIES: io_uring_setup(2) refuses more submission queue entries. */
    static final int MAX_RING_SIZE = 32768;
    /** The platforms whose Netty native library this module's POM brings (keep in step with the POM). */
    static final String NATIVE_PLATFORMS = "linux-x86_64 and linux-aarch_64";
    /** Netty's own switch for its native transports. */
    private static final String NO_NATIVE_PROPERTY = "io.netty.transport.noNative";
    private static final EngineFeatures FEATURES = new EngineFeatures(true, true, true);

    private static final class Availability {
        static String receiveBuffers;
        static final Throwable CAUSE = probe();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public boolean isAvailable() {
        return Availability.CAUSE == null;
    }

    @Override
    public Throwable unavailabilityCause() {
        return Availability.CAUSE;
    }

    @Override
    public EngineFeatures features() {
        return FEATURES;
    }

    /** How receives get their buffers here, e.g. a ring-mapped buffer ring; {@code null} if unavailable. */
    @Override
    public String details() {
        return isAvailable() ? "receive buffers: " + Availability.receiveBuffers : null;
    }

    static boolean bufferRingEnabled() {
        String value = System.getProperty(BUFFER_RING_PROPERTY, "true");
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("-D" + BUFFER_RING_PROPERTY + "=" + value
                    + " is not a valid value: use true (a ring-mapped buffer ring, the default) or false "
                    + "(PROVIDE_BUFFERS)");
        };
    }

    /** Submission queue entries per ring: {@value #RING_SIZE_PROPERTY}, checked, or the default. */
    static int ringSize() {
        String value = System.getProperty(RING_SIZE_PROPERTY);
        if (value == null) {
            return DEFAULT_RING_SIZE;
        }
        try {
            int entries = Integer.parseInt(value.trim());
            if (entries >= 1 && entries <= MAX_RING_SIZE) {
                return entries;
            }
        } catch (NumberFormatException e) {
            // refused below, with the range
        }
        throw new IllegalArgumentException("-D" + RING_SIZE_PROPERTY + "=" + value + " is not a valid value: use a "
                + "number of submission queue entries from 1 to " + MAX_RING_SIZE + " (the kernel's limit; default "
                + DEFAULT_RING_SIZE + ")");
    }

    /**
     * The completion ring holds four times the submission ring's entries. Netty sizes it like the submission
     * ring unless told, and at thousands of connections one loop run can find more CQEs than that waiting
     * (a receive and a send per connection): the kernel then parks the rest on its overflow list, which costs
     * an allocation per CQE and a flush, and Netty logs a warning per run.
     */
    static int completionRingSize() {
        return Math.min(4 * ringSize(), 65536);
    }

    private static IoUringIoHandlerConfig handlerConfig() {
        return new IoUringIoHandlerConfig().setRingSize(ringSize()).setCqSize(completionRingSize());
    }

    private static Throwable probe() {
        try {
            ringSize();
            bufferRingEnabled();
        } catch (IllegalArgumentException misconfigured) {
            return new EngineUnavailableException(misconfigured.getMessage(), misconfigured);
        }
        try {
            if (!IoUring.isAvailable()) {
                Throwable cause = IoUring.unavailabilityCause();
                String noNative = missingNativeLibrary(cause);
                if (noNative != null) {
                    return new EngineUnavailableException(noNative, cause);
                }
                return new EngineUnavailableException("io_uring is not available here ("
                        + (cause == null ? "no reason given" : cause.getMessage()) + "). It needs Linux 5.19 or newer "
                        + "with io_uring enabled (sysctl kernel.io_uring_disabled=0, not blocked by seccomp) and "
                        + "Netty's native library for this platform; -Dio.netty.transport.noNative=true turns it off on "
                        + "purpose. Use the nio2 engine instead.", cause);
            }
            Availability.receiveBuffers = IoUringCompletionEventQueue.probe(handlerConfig());
            return null;
        } catch (Throwable t) {
            return ringCreationFailed(t);
        }
    }

    /**
     * Why Netty could not load its io_uring library, when that is the platform or a missing native jar
     * (and not Netty's switch or the kernel): {@code null} otherwise.
     */
    static String missingNativeLibrary(Throwable cause) {
        if (Boolean.getBoolean(NO_NATIVE_PROPERTY)) {
            return null;
        }
        String os = System.getProperty("os.name") + " on " + System.getProperty("os.arch");
        if (!"linux".equals(PlatformDependent.normalizedOs())) {
            return "io_uring is Linux-only and this is " + os + ". Use the nio2 engine (Engines.best() and "
                    + "Engines.prefer(\"io_uring\") pick it by themselves).";
        }
        String platform = "linux-" + PlatformDependent.normalizedArch();
        String resource = "META-INF/native/"
                + System.mapLibraryName("netty_transport_native_io_uring42_" + PlatformDependent.normalizedArch());
        ClassLoader loader = IoUring.class.getClassLoader();
        if (!linkFailed(cause) || loader == null || loader.getResource(resource) != null) {
            return null;
        }
        return "no io_uring native library for " + platform + " (" + os + ") is on the class path: proactor-iouring "
                + "brings Netty's for " + NATIVE_PLATFORMS + " only. Add io.netty:netty-transport-native-io_uring "
                + "with classifier " + platform + " of the same Netty version if Netty publishes one, or use the "
                + "nio2 engine.";
    }

    private static boolean linkFailed(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof UnsatisfiedLinkError) {
                return true;
            }
        }
        return false;
    }

    private static EngineUnavailableException ringCreationFailed(Throwable t) {
        return new EngineUnavailableException("cannot create an io_uring ring of " + ringSize() + " entries: "
                + t.getMessage() + ". Raise the locked-memory limit (ulimit -l, prlimit --memlock, or memlock in "
                + "/etc/security/limits.conf), or use smaller rings with -D" + RING_SIZE_PROPERTY
                + "=256, or use the nio2 engine.", t);
    }

    @Override
    protected DefaultProactorGroup openGroup(ProactorGroupConfig config) {
        IoUringIoHandlerConfig ringConfig = handlerConfig();
        return new DefaultProactorGroup(this, config, i -> {
            IoUringCompletionEventQueue ring;
            String name = DefaultProactorGroup.loopName(config, this, i);
            try {
                ring = new IoUringCompletionEventQueue(ringConfig);
            } catch (RuntimeException | Error e) {
                RingFallbackEvent.emit(name, "no ring", String.valueOf(e.getMessage()));
                throw ringCreationFailed(e);
            }
            RingSetupEvent.emit(name, "ring", ringConfig.getRingSize() + " submission entries, "
                    + ringConfig.getCqSize() + " completion entries");
            return new ProactorLoop(name, this, ring, loop -> {
                ring.bind(loop);
                return new IoUringOperationProcessor(loop, ring, config);
            });
        }, null);
    }
}
