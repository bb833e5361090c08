package io.proactor.nio2;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.tests.AsyncSocketSuite;

class Nio2AsyncSocketTest extends AsyncSocketSuite {
    @Override
    protected Engine engine() {
        return Engines.require(Nio2Engine.NAME);
    }
}
