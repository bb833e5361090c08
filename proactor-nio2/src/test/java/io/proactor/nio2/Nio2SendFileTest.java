package io.proactor.nio2;

import io.proactor.Engines;
import io.proactor.Engine;
import io.proactor.tests.SendFileSuite;

class Nio2SendFileTest extends SendFileSuite {
    @Override
    protected Engine engine() {
        return Engines.require(Nio2Engine.NAME);
    }
}
