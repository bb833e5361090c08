package io.proactor.reactor;

import io.proactor.Engines;
import io.proactor.Engine;
import io.proactor.tests.SendFileSuite;

class ReactorSendFileTest extends SendFileSuite {
    @Override
    protected Engine engine() {
        return Engines.require(ReactorEngine.NAME);
    }
}
