package io.proactor.reactor;

import io.proactor.Engines;
import io.proactor.spi.Engine;
import io.proactor.tests.EchoSoakSuite;

class VirtualThreadEchoSoakTest extends EchoSoakSuite {
    @Override
    protected Engine engine() {
        return Engines.require(VirtualThreadEngine.NAME);
    }
}
