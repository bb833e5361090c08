package io.proactor.reactor;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.tests.NetworkFaultSuite;

class VirtualThreadNetworkFaultTest extends NetworkFaultSuite {
    @Override
    protected Engine engine() {
        return Engines.require(VirtualThreadEngine.NAME);
    }
}
