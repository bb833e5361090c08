package io.proactor.iouring;

import io.proactor.Engines;
import io.proactor.spi.Engine;
import io.proactor.tests.EchoSoakSuite;

class IoUringEchoSoakTest extends EchoSoakSuite {
    @Override
    protected Engine engine() {
        return Engines.require(IoUringEngine.NAME);
    }
}
