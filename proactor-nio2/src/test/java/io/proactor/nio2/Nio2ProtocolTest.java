package io.proactor.nio2;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.tests.ProtocolSuite;

class Nio2ProtocolTest extends ProtocolSuite {
    @Override
    protected Engine engine() {
        return Engines.require(Nio2Engine.NAME);
    }
}
