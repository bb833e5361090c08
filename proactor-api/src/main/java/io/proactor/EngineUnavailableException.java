package io.proactor;

/**
 * An engine was required but cannot run on this machine. The message says why and what to change; the
 * cause is the engine's {@link Engine#unavailabilityCause()}.
 */
public class EngineUnavailableException extends IllegalStateException {

    public EngineUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
