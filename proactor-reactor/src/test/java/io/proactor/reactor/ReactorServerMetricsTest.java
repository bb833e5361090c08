package io.proactor.reactor;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.tests.ServerMetricsSuite;

class ReactorServerMetricsTest extends ServerMetricsSuite {
    @Override
    protected Engine engine() {
        return Engines.require(ReactorEngine.NAME);
    }
}
