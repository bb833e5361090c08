package io.proactor.samples;

import io.proactor.Engine;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Set;

/** The echo server: every byte received is sent back. Try it with {@code nc 127.0.0.1 7007}. */
public final class EchoServer {

    static final String USAGE = """
            usage: proactor echo-server [--port N] [--host ADDRESS] [--engine NAME] [--model MODEL] [--threads N]
                                        [--backlog N]

              --port     TCP port to listen on (default 7007; 0 picks a free port)
              --host     address to bind (default 127.0.0.1)
              --engine   nio2 | io_uring | reactor | virtual-threads (default: the best available)
              --model    single | worker-pool | main-sub | reuseport (default single)
              --threads  I/O loops for main-sub and reuseport, workers for worker-pool (default 2)
              --backlog  connections the kernel may complete and queue before the server accepts them
                         (default: the kernel's limit, net.core.somaxconn, 4096 on current Linux; the kernel
                         cuts a larger N to it); a burst of connects beyond it loses SYNs, which clients send
                         again only after 1 s

            Stops cleanly on Ctrl-C.""";

    /** The protocol: write back what was read. Stateless, so one instance serves every connection. */
    public static final class EchoHandler implements ProtocolHandler {
        @Override
        public void onRead(Connection connection, ByteBuffer data) {
            connection.write(data);
        }
    }

    private EchoServer() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return ServerCommand.runUntilStopped(args, out, err, USAGE, "echo server", EchoServer::start,
                server -> String.format("echo server listening on %s:%d (engine %s, model %s)",
                        server.localAddress().getHostString(), server.localAddress().getPort(),
                        server.engine().name(), server.model().label()));
    }

    /** Parses the flags and starts the server; {@code null} after printing the help text. */
    static ProtocolServer start(String[] args, PrintStream out) throws CommandLine.UsageException, IOException {
        CommandLine cl = new CommandLine(args, Set.of("port", "host", "engine", "model", "threads", "backlog"));
        if (cl.help()) {
            out.println(USAGE);
            return null;
        }
        int port = cl.integer("port", 7007, 0, 65535);
        String host = cl.string("host", "127.0.0.1");
        ThreadingModel model = cl.model();
        int threads = cl.integer("threads", 2, 1, 1024);
        int backlog = cl.backlog();
        Engine engine = cl.engine();
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new CommandLine.UsageException("--host '" + host + "' cannot be resolved");
        }
        EchoHandler handler = new EchoHandler();
        return ProtocolServer.builder().engine(engine).model(model).threads(threads).backlog(backlog)
                .handler(() -> handler).bind(address);
    }
}
