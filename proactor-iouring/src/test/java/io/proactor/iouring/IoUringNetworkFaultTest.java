package io.proactor.iouring;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.tests.NetworkFaultSuite;

class IoUringNetworkFaultTest extends NetworkFaultSuite.WithChannelApi {
    @Override
    protected Engine engine() {
        return Engines.require(IoUringEngine.NAME);
    }
}
