package io.proactor.nio2;

import io.proactor.Engines;
import io.proactor.spi.Engine;
import io.proactor.tests.AsyncSocketSuite;

class Nio2AsyncSocketTest extends AsyncSocketSuite {
    @Override
    protected Engine engine() {
        return Engines.require(Nio2Engine.NAME);
    }
}
