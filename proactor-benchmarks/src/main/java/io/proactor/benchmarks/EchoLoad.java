package io.proactor.benchmarks;

import io.proactor.Engines;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ThreadingModel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Echo load: N connections, each keeping {@code depth} messages of {@code size} bytes in flight, every echoed
 * byte checked against what was sent (a pattern computed from the connection number and the stream offset,
 * so nothing is stored). Runs on the library's io_uring engine, one I/O thread.
 *
 * <p>Usage: {@code EchoLoad PORT CONNECTIONS SIZE DEPTH WARMUP_S MEASURE_S}. Prints
 * {@code measure-start epochMs=..} after the warm-up, {@code progress epochMs=.. roundTrips=..} twice a second,
 * and at the end {@code result roundTrips=N seconds=S errors=E}. Exit status 1 on any mismatch or error.
 */
public final class EchoLoad {

    private final LongAdder roundTrips = new LongAdder();
    private final AtomicLong errors = new AtomicLong();

    private EchoLoad() {
    }

    static byte pattern(int connection, long offset) {
        return (byte) (connection * 31 + offset * 7 + (offset >>> 8));
    }

    private final class Session implements ProtocolHandler {
        private final int id;
        private final int size;
        private final int depth;
        private final ByteBuffer out;
        private long sentBytes;
        private long receivedBytes;

        Session(int id, int size, int depth) {
            this.id = id;
            this.size = size;
            this.depth = depth;
            this.out = ByteBuffer.allocate(size);
        }

        @Override
        public void onOpen(Connection c) {
            for (int i = 0; i < depth; i++) {
                sendOne(c);
            }
        }

        private void sendOne(Connection c) {
            out.clear();
            for (int i = 0; i < size; i++) {
                out.put(pattern(id, sentBytes + i));
            }
            sentBytes += size;
            c.write(out.flip());
        }

        @Override
        public void onRead(Connection c, ByteBuffer data) {
            while (data.hasRemaining()) {
                if (data.get() != pattern(id, receivedBytes)) {
                    errors.incrementAndGet();
                    System.err.println("mismatch on connection " + id + " at byte " + receivedBytes);
                    c.abort(null);
                    return;
                }
                receivedBytes++;
                if (receivedBytes % size == 0) {
                    roundTrips.increment();
                    sendOne(c);
                }
            }
        }

        @Override
        public void onClose(Connection c, Throwable cause) {
            if (cause != null) {
                errors.incrementAndGet();
                System.err.println("connection " + id + " closed: " + cause);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: EchoLoad PORT CONNECTIONS SIZE DEPTH WARMUP_S MEASURE_S");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        int depth = Integer.parseInt(args[3]);
        long warmupMillis = Long.parseLong(args[4]) * 1000;
        long measureMillis = Long.parseLong(args[5]) * 1000;
        EchoLoad load = new EchoLoad();
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (ProtocolClient client = ProtocolClient.builder().engine(Engines.require("io_uring"))
                .model(ThreadingModel.SINGLE).build()) {
            List<Connection> open = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                open.add(client.connect(server, load.new Session(i, size, depth)).get(10, TimeUnit.SECONDS));
            }
            Thread.sleep(warmupMillis);
            long start = System.nanoTime();
            long startCount = load.roundTrips.sum();
            System.out.println("measure-start epochMs=" + System.currentTimeMillis());
            long end = start + TimeUnit.MILLISECONDS.toNanos(measureMillis);
            while (System.nanoTime() < end) {
                Thread.sleep(Math.min(500, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
                System.out.println("progress epochMs=" + System.currentTimeMillis() + " roundTrips="
                        + (load.roundTrips.sum() - startCount));
            }
            long count = load.roundTrips.sum() - startCount;
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("result roundTrips=%d seconds=%.3f errors=%d%n", count, seconds, load.errors.get());
            open.forEach(c -> c.abort(null));
        }
        System.exit(load.errors.get() == 0 ? 0 : 1);
    }
}
