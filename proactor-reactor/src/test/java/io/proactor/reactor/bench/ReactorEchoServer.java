package io.proactor.reactor.bench;

import io.proactor.Engines;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import java.nio.ByteBuffer;

/**
 * The engine side of the Reactor benchmark: the echo protocol handler on an engine's SINGLE model, nothing
 * else. Usage: {@code java -Dbench.engine=ENGINE ReactorEchoServer PORT} (default engine {@code reactor}).
 */
public final class ReactorEchoServer {

    public static void main(String[] args) throws Exception {
        ProtocolHandler echo = new ProtocolHandler() {
            @Override
            public void onRead(Connection connection, ByteBuffer data) {
                connection.write(data);
            }
        };
        ProtocolServer server = ProtocolServer.builder()
                .engine(Engines.require(System.getProperty("bench.engine", "reactor")))
                .model(ThreadingModel.SINGLE).handler(() -> echo).bind(Integer.parseInt(args[0]));
        System.out.println("listening on " + server.localAddress() + " (" + server.engine().name() + ")");
        Thread.currentThread().join();
    }
}
