package io.proactor.reactor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import io.proactor.tests.AcceptorHold;
import io.proactor.tests.ProtocolSuite;
import java.net.Socket;
import java.util.List;

class ReactorProtocolTest extends ProtocolSuite {
    @Override
    protected Engine engine() {
        return Engines.require(ReactorEngine.NAME);
    }

    /**
     * A task that blocks each accepting loop: in MAIN_SUB the handler factory runs on a sub loop, so holding it
     * there would leave the acceptor free.
     */
    @Override
    protected void holdAcceptingThreads(ProtocolServer server, ThreadingModel model, AcceptorHold hold,
                                        List<Socket> opened) throws Exception {
        List<ReactorLoop> loops = ((ReactorProtocolServer) server).acceptingLoops();
        loops.forEach(loop -> loop.execute(hold::hold));
        assertTrue(hold.awaitHeld(loops.size(), 10_000), "accepting loops held: " + hold.heldThreads());
    }
}
