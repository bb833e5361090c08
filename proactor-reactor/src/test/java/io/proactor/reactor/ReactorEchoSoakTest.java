package io.proactor.reactor;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.tests.EchoSoakSuite;

class ReactorEchoSoakTest extends EchoSoakSuite {
    @Override
    protected Engine engine() {
        return Engines.require(ReactorEngine.NAME);
    }
}
