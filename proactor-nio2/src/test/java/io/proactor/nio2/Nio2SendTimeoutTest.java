package io.proactor.nio2;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.tests.SendTimeoutSuite;

class Nio2SendTimeoutTest extends SendTimeoutSuite {
    @Override
    protected Engine engine() {
        return Engines.require(Nio2Engine.NAME);
    }
}
