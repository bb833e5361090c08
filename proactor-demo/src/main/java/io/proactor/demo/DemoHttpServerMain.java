package io.proactor.demo;

import io.proactor.load.EchoServerMain;
import io.proactor.protocol.ThreadingModel;
import io.proactor.samples.http.HttpFileServer;
import io.proactor.samples.http.HttpServerConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The file server as the demo runs it, in a child process: {@code DemoHttpServerMain ENGINE MODEL THREADS DIR
 * [DIRECT_IO_THRESHOLD_BYTES]} serves DIR on a free loopback port with the default settings (or that
 * {@code O_DIRECT} threshold: {@link Long#MAX_VALUE} reads every file through the page cache), prints {@code listening PORT}, and then answers
 * {@link EchoServerMain#serveCommands the same control commands} as the echo server until its standard input
 * ends, so it never outlives the demo.
 */
public final class DemoHttpServerMain {

    private DemoHttpServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4 && args.length != 5) {
            System.err.println("usage: DemoHttpServerMain ENGINE MODEL THREADS DIR [DIRECT_IO_THRESHOLD_BYTES]");
            System.exit(2);
        }
        HttpServerConfig config = HttpServerConfig.of(Path.of(args[3]));
        if (args.length == 5) {
            config = config.withDirectIoThreshold(Long.parseLong(args[4]));
        }
        HttpFileServer server = HttpFileServer.start(config,
                EchoServerMain.engine(args[0]), ThreadingModel.parse(args[1]), Integer.parseInt(args[2]),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        System.out.println("listening " + server.localAddress().getPort());
        System.out.flush();
        EchoServerMain.serveCommands(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        server.close();
        System.exit(0);
    }
}
