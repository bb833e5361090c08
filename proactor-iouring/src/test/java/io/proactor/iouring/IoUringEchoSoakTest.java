package io.proactor.iouring;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.tests.EchoSoakSuite;

class IoUringEchoSoakTest extends EchoSoakSuite {
    @Override
    protected Engine engine() {
        return Engines.require(IoUringEngine.NAME);
    }

    @Override
    protected String engineReport() {
        return "; receives that found the buffer pool dry: " + ReceiveBuffers.Totals.EXHAUSTIONS.sum();
    }
}
