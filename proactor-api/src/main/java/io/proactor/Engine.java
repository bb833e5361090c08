package io.proactor;

/**
 * What a user sees of an I/O engine: its name, whether it works here (and if not, why), and what it can do.
 * Obtained from {@link Engines}; passed to {@link ProactorGroup#open(Engine, int)} and to the protocol
 * builders ({@code ProtocolServer.builder().engine(...)}).
 *
 * <p>This is a description only. What an engine implements to do its work (a protocol runtime, and for a
 * completion-based engine asynchronous channels) is its provider side, {@code io.proactor.spi}, which
 * applications never call.
 *
 * <p><b>Threading.</b> Engines are stateless singletons: any thread may call any method.
 */
public interface Engine {

    /** A short lower-case name users type, e.g. {@code nio2} or {@code io_uring}. */
    String name();

    /** Preference when several engines are available: higher wins. */
    int priority();

    /** {@code true} when this engine works on this machine right now. */
    boolean isAvailable();

    /** Why this engine is not available (with what to change), or {@code null} when it is. */
    Throwable unavailabilityCause();

    /**
     * What this engine can do. {@link EngineFeatures#completionBased()} says whether it has asynchronous
     * channels ({@link ProactorGroup}s); every engine runs protocol handlers.
     */
    EngineFeatures features();

    /**
     * What this engine found on this machine that users may want to know (for example how an io_uring engine
     * provides receive buffers), for {@code ./proactor engines} and logs; {@code null} when there is nothing
     * to add.
     */
    default String details() {
        return null;
    }
}
