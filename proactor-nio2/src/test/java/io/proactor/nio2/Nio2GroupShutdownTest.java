package io.proactor.nio2;

import io.proactor.Engines;
import io.proactor.Engine;
import io.proactor.tests.GroupShutdownSuite;

class Nio2GroupShutdownTest extends GroupShutdownSuite {
    @Override
    protected Engine engine() {
        return Engines.require(Nio2Engine.NAME);
    }
}
