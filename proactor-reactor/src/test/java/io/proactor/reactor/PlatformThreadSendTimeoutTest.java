package io.proactor.reactor;

import io.proactor.Engine;
import io.proactor.tests.SendTimeoutSuite;

/** The platform-thread engine is not listed in {@code Engines}: it is made directly. */
class PlatformThreadSendTimeoutTest extends SendTimeoutSuite {
    @Override
    protected Engine engine() {
        return new PlatformThreadEngine();
    }
}
