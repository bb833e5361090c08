package io.proactor.nio2;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.tests.NetworkFaultSuite;

class Nio2NetworkFaultTest extends NetworkFaultSuite.WithChannelApi {
    @Override
    protected Engine engine() {
        return Engines.require(Nio2Engine.NAME);
    }
}
