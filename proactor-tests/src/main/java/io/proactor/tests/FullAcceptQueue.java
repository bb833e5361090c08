package io.proactor.tests;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback address where a connect times out, with no privileges and no firewall: a listening socket with a
 * backlog of 1 that never accepts, whose accept queue is filled with connections. Linux drops a SYN that
 * arrives at a full accept queue (the client retries after a second, then after three, ...), so a connect
 * there hears nothing until its own timeout. {@link #open()} fills the queue until a probe connect times out,
 * which proves the next connect will too. {@link #close()} closes the probe's fillers and the listener.
 */
public final class FullAcceptQueue implements AutoCloseable {

    private static final int PROBE_TIMEOUT_MILLIS = 200;
    private static final int MAX_FILLERS = 64;

    private final ServerSocket listener;
    private final List<Socket> fillers = new ArrayList<>();

    private FullAcceptQueue() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    /** A listener whose accept queue is full: proven by a connect that timed out. */
    public static FullAcceptQueue open() throws IOException {
        FullAcceptQueue queue = new FullAcceptQueue();
        try {
            while (true) {
                if (queue.fillers.size() == MAX_FILLERS) {
                    throw new IOException(MAX_FILLERS + " connections to a listener with backlog 1 that never "
                            + "accepts were all established: this kernel does not drop SYNs at a full accept queue");
                }
                Socket s = new Socket();
                try {
                    s.connect(queue.address(), PROBE_TIMEOUT_MILLIS);
                    queue.fillers.add(s);
                } catch (SocketTimeoutException full) {
                    s.close();
                    return queue;
                }
            }
        } catch (IOException | RuntimeException e) {
            queue.close();
            throw e;
        }
    }

    /** The listener's address: a connect to it is dropped and times out. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** How many connections fill the queue (the backlog plus what the kernel adds to it). */
    public int queued() {
        return fillers.size();
    }

    @Override
    public void close() throws IOException {
        for (Socket s : fillers) {
            s.close();
        }
        listener.close();
    }
}
