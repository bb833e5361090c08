package io.proactor.samples;

import java.util.Arrays;

/**
 * Entry point of {@code ./proactor}: the first argument names the sample. The launcher starts {@code demo} itself
 * ({@code io.proactor.demo.DemoCommand} of proactor-demo, which depends on the samples, not the other way round);
 * its line in the usage is the launcher's.
 */
public final class Main {

    static final String USAGE = """
            usage: proactor COMMAND [FLAGS]   (proactor COMMAND --help for the flags of one command)

            commands:
              echo-server   echo server, engine and threading model chosen by flags (try: nc 127.0.0.1 7007)
              echo-client   echo load: connections x ping-pong messages, every byte verified
              serve         HTTP/1.1 static file server: serve DIR (try: curl -v 127.0.0.1:8080/)
              engines       list the engines on the class path and whether each can run here
              demo          Reactor vs Proactor side by side: every engine and threading model measured, a report""";

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "echo-server" -> EchoServer.main(rest);
            case "echo-client" -> EchoClient.main(rest);
            case "serve" -> ServeCommand.main(rest);
            case "engines" -> EnginesCommand.main(rest);
            case "demo" -> {
                System.err.println("error: the demo is proactor-demo's: run ./proactor demo (main class "
                        + "io.proactor.demo.DemoCommand, on proactor-demo's class path)");
                System.exit(2);
            }
            default -> {
                System.err.println("error: unknown command '" + args[0] + "'");
                System.err.println(USAGE);
                System.exit(2);
            }
        }
    }
}
