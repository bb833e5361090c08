package io.proactor.tests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Many clients connecting at once: plain {@code java.nio} socket channels whose non-blocking connects are all
 * started by one thread, one after the other, then completed through one {@link Selector}. Each connect is timed
 * from its own start, so a SYN the server's kernel dropped shows as a connect of a second or more (the client's
 * first retry), however long starting the others took.
 *
 * <p><b>Threading.</b> One thread at a time; {@link #close()} closes every channel and the selector.
 */
public final class ConnectBurst implements AutoCloseable {

    private final SocketChannel[] channels;
    private final long[] started;
    private final long[] connectNanos;
    private final boolean[] connected;
    private final List<String> failures = new ArrayList<>();
    private final Selector selector;

    /** Opens {@code n} channels (so that opening them is not part of the burst). */
    public ConnectBurst(int n) throws IOException {
        channels = new SocketChannel[n];
        started = new long[n];
        connectNanos = new long[n];
        connected = new boolean[n];
        selector = Selector.open();
        try {
            for (int i = 0; i < n; i++) {
                channels[i] = SocketChannel.open();
                channels[i].configureBlocking(false);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts every connect to {@code to}, then completes them, calling {@code whileWaiting} between selector waits
     * of at most 5 ms, until each has connected or failed, or {@link TestSupport#STEP_SECONDS} passed.
     */
    public void connect(InetSocketAddress to, Runnable whileWaiting) throws IOException {
        int pending = 0;
        for (int i = 0; i < channels.length; i++) {
            started[i] = System.nanoTime();
            try {
                if (channels[i].connect(to)) {
                    connectNanos[i] = System.nanoTime() - started[i];
                    connected[i] = true;
                } else {
                    channels[i].register(selector, SelectionKey.OP_CONNECT, i);
                    pending++;
                }
            } catch (IOException e) {
                failures.add("client " + i + ": connect: " + e);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestSupport.STEP_SECONDS);
        while (pending > 0 && System.nanoTime() < deadline) {
            whileWaiting.run();
            selector.select(5);
            long now = System.nanoTime();
            for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                SelectionKey key = it.next();
                it.remove();
                int i = (Integer) key.attachment();
                key.cancel();
                pending--;
                try {
                    channels[i].finishConnect();
                    connectNanos[i] = now - started[i];
                    connected[i] = true;
                } catch (IOException e) {
                    failures.add("client " + i + ": connect: " + e);
                }
            }
        }
        whileWaiting.run();
        selector.selectNow(); // flushes the cancelled keys, so the channels can go back to blocking mode
        if (pending > 0) {
            failures.add(pending + " connects still pending after " + TestSupport.STEP_SECONDS + " s");
        }
    }

    /**
     * Sends one byte on every connected channel and reads it back (the server echoes): each connection the
     * client counts as open is one the server serves, not one it reset or never completed.
     */
    public void echoOneByteEach() throws IOException {
        int pending = 0;
        for (int i = 0; i < channels.length; i++) {
            if (!connected[i]) {
                continue;
            }
            try {
                if (channels[i].write(ByteBuffer.wrap(new byte[] {(byte) i})) != 1) {
                    failures.add("client " + i + ": the first byte did not fit a fresh socket");
                    continue;
                }
                channels[i].register(selector, SelectionKey.OP_READ, i);
                pending++;
            } catch (IOException e) {
                failures.add("client " + i + ": write: " + e);
            }
        }
        ByteBuffer one = ByteBuffer.allocate(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestSupport.STEP_SECONDS);
        while (pending > 0 && System.nanoTime() < deadline) {
            selector.select(100);
            for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                SelectionKey key = it.next();
                it.remove();
                int i = (Integer) key.attachment();
                key.cancel();
                pending--;
                one.clear();
                try {
                    int n = channels[i].read(one);
                    if (n != 1 || one.get(0) != (byte) i) {
                        failures.add("client " + i + ": echo read returned " + n);
                    }
                } catch (IOException e) {
                    failures.add("client " + i + ": read: " + e);
                }
            }
        }
        if (pending > 0) {
            failures.add(pending + " echoes still missing after " + TestSupport.STEP_SECONDS + " s");
        }
    }

    /** Connects or echoes that failed (refused, reset, timed out), one line each. */
    public List<String> failures() {
        return failures;
    }

    /** Channels that connected. */
    public int connectedCount() {
        int n = 0;
        for (boolean c : connected) {
            n += c ? 1 : 0;
        }
        return n;
    }

    /** Connects that took at least {@code millis}. */
    public int connectsOver(long millis) {
        int n = 0;
        for (long t : connectNanos) {
            if (t >= TimeUnit.MILLISECONDS.toNanos(millis)) {
                n++;
            }
        }
        return n;
    }

    /** The longest connect, in milliseconds. */
    public double worstConnectMillis() {
        long worst = 0;
        for (long t : connectNanos) {
            worst = Math.max(worst, t);
        }
        return worst / 1e6;
    }

    @Override
    public void close() throws IOException {
        for (SocketChannel c : channels) {
            if (c != null) {
                c.close();
            }
        }
        selector.close();
    }
}
