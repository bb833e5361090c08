package io.proactor.iouring;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.tests.SendTimeoutSuite;

class IoUringSendTimeoutTest extends SendTimeoutSuite {
    static {
        // the engine's one-time availability probe makes a real ring; let it happen before any leak count
        Engines.require(IoUringEngine.NAME);
    }

    @Override
    protected Engine engine() {
        return Engines.require(IoUringEngine.NAME);
    }
}
