package io.proactor.nio2;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.tests.AsyncFileSuite;

class Nio2AsyncFileTest extends AsyncFileSuite {
    @Override
    protected Engine engine() {
        return Engines.require(Nio2Engine.NAME);
    }
}
