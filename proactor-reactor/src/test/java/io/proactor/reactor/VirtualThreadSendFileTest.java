package io.proactor.reactor;

import io.proactor.Engines;
import io.proactor.Engine;
import io.proactor.tests.SendFileSuite;

class VirtualThreadSendFileTest extends SendFileSuite {
    @Override
    protected Engine engine() {
        return Engines.require(VirtualThreadEngine.NAME);
    }
}
