package io.proactor.nio2;

import io.proactor.Engines;
import io.proactor.spi.Engine;
import io.proactor.tests.ProtocolSuite;

class Nio2ProtocolTest extends ProtocolSuite {
    @Override
    protected Engine engine() {
        return Engines.require(Nio2Engine.NAME);
    }
}
