package io.proactor.protocol;

import io.proactor.EngineUnavailableException;
import java.util.ServiceLoader;

/** Finds the {@link ProtocolLookup} once, for the builders; package-private, not API. */
final class ProtocolLookups {

    private static final ProtocolLookup LOOKUP = ServiceLoader.load(ProtocolLookup.class,
            ProtocolLookup.class.getClassLoader()).findFirst().orElse(null);

    private ProtocolLookups() {
    }

    static ProtocolLookup get() {
        if (LOOKUP == null) {
            throw new EngineUnavailableException("no engine is on the class path (nor the module path): put "
                    + "proactor-nio2 (works everywhere) there", null);
        }
        return LOOKUP;
    }
}
