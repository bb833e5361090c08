package io.proactor.samples;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * What the server commands share: start from the flags, answer a usage error with the usage text (exit 2) and a
 * failure to start with its message (exit 1), then serve until the JVM is told to stop (Ctrl-C, SIGTERM), when
 * the server is closed cleanly.
 */
final class ServerCommand {

    /** Parses the flags and starts the server; {@code null} after printing the help text. */
    interface Starter<S extends AutoCloseable> {
        S start(String[] args, PrintStream out) throws CommandLine.UsageException, IOException;
    }

    private ServerCommand() {
    }

    /**
     * @param what    names the server in messages ("echo server")
     * @param started the line printed once it serves (where, how)
     */
    static <S extends AutoCloseable> int runUntilStopped(String[] args, PrintStream out, PrintStream err,
                                                         String usage, String what, Starter<S> starter,
                                                         Function<S, String> started) {
        S server;
        try {
            server = starter.start(args, out);
            if (server == null) {
                return 0; // --help
            }
        } catch (CommandLine.UsageException e) {
            err.println("error: " + e.getMessage());
            err.println(usage);
            return 2;
        } catch (IOException e) {
            err.println("error: cannot start the " + what + ": " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                err.println("error while stopping the " + what + ": " + e);
            }
            out.println(what + " stopped");
            stopped.countDown();
        }, what.replace(' ', '-') + "-shutdown"));
        out.println(started.apply(server) + "; Ctrl-C stops it");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
