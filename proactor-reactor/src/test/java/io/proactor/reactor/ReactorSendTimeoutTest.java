package io.proactor.reactor;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.tests.SendTimeoutSuite;

class ReactorSendTimeoutTest extends SendTimeoutSuite {
    @Override
    protected Engine engine() {
        return Engines.require(ReactorEngine.NAME);
    }
}
