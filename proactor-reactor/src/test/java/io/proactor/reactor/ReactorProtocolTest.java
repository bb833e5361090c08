package io.proactor.reactor;

import io.proactor.Engines;
import io.proactor.spi.Engine;
import io.proactor.tests.ProtocolSuite;

class ReactorProtocolTest extends ProtocolSuite {
    @Override
    protected Engine engine() {
        return Engines.require(ReactorEngine.NAME);
    }
}
