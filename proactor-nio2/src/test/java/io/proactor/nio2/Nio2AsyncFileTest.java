package io.proactor.nio2;

import io.proactor.Engines;
import io.proactor.spi.Engine;
import io.proactor.tests.AsyncFileSuite;

class Nio2AsyncFileTest extends AsyncFileSuite {
    @Override
    protected Engine engine() {
        return Engines.require(Nio2Engine.NAME);
    }
}
