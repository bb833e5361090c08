package io.proactor.reactor;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.tests.SendTimeoutSuite;

class VirtualThreadSendTimeoutTest extends SendTimeoutSuite {
    @Override
    protected Engine engine() {
        return Engines.require(VirtualThreadEngine.NAME);
    }
}
