package io.proactor.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The accept queue of a listener on this machine, read from Linux's {@code /proc/net/tcp} and {@code tcp6}: on a
 * listening socket's line, {@code rx_queue} is the number of connections waiting to be accepted.
 *
 * <p>Why the load needs it: a client's connect completes when the kernel has queued the connection, before the
 * server has accepted it. Opening thousands of connections against a server that accepts slowly (one thread per
 * connection, or completions handed from thread to thread) fills its queue; the kernel then drops SYNs and the
 * clients retry only a second later, or time out. {@link #awaitRoom} holds the next connect while more than
 * {@link #WAITING_AT_MOST} connections wait, so connecting goes at the server's accepting pace and nothing
 * overflows a backlog of a few hundred or more (the backlog itself is not in these files).
 *
 * <p>The kernel lists listening sockets before all others, so a read stops at the first line that is not one:
 * cheap even with tens of thousands of connections open. Where the files cannot be read (not Linux, or the
 * server on another machine) there is no listener to find and nothing is held.
 */
final class AcceptQueue {

    /** Waiting connections above which the next connect is held; small against usual backlogs (4096 here). */
    static final int WAITING_AT_MOST = 64;
    private static final String LISTEN = "0A";
    private static final Path[] TABLES = {Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")};

    private final int port;

    AcceptQueue(int port) {
        this.port = port;
    }

    /**
     * Waits, up to {@code timeoutNanos}, until no listener on the port has more than {@link #WAITING_AT_MOST}
     * connections waiting. Returns at once when no listener on the port is found.
     */
    void awaitRoom(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (waiting() > WAITING_AT_MOST && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    /** Connections waiting in the fullest listener's queue (several with SO_REUSEPORT); 0 when none is found. */
    long waiting() {
        long fullest = 0;
        for (Path table : TABLES) {
            try (BufferedReader in = Files.newBufferedReader(table)) {
                in.readLine(); // the header
                for (String line; (line = in.readLine()) != null; ) {
                    String[] f = line.trim().split("\\s+", 6);
                    if (f.length < 5 || !f[3].equals(LISTEN)) {
                        break;
                    }
                    fullest = Math.max(fullest, waiting(f[1], f[4]));
                }
            } catch (IOException | RuntimeException e) {
                // Not Linux, or a line of an unexpected shape: no pacing rather than a failed load.
            }
        }
        return fullest;
    }

    /** {@code local} is ADDRESS:PORT and {@code queues} TX:RX, all hexadecimal. */
    private long waiting(String local, String queues) {
        if (Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16) != port) {
            return 0;
        }
        return Long.parseLong(queues.substring(queues.indexOf(':') + 1), 16);
    }
}
