package io.proactor.reactor;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.tests.ProtocolSuite;

class VirtualThreadProtocolTest extends ProtocolSuite {
    @Override
    protected Engine engine() {
        return Engines.require(VirtualThreadEngine.NAME);
    }

    /** Thread-per-connection: the suite checks one virtual thread per connection instead of loops and workers. */
    @Override
    protected boolean callbackThreadsFollowTheModel() {
        return false;
    }
}
