package io.proactor.reactor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.proactor.Engines;
import io.proactor.SharedFile;
import io.proactor.protocol.Connection;
import io.proactor.protocol.Connection.FileSendMode;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import io.proactor.tests.TestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A response's head and a small file's body copied behind it leave in one gathering write: one system call,
 * and one TCP segment where they fit, as nginx's corked {@code sendfile} gives. Counted by the loop thread's
 * write calls ({@code syscw} in {@code /proc/self/task/TID/io}, Linux).
 */
class ReactorCopiedFileWriteTest {

    private static final int RESPONSES = 200;

    @Test
    void aHeadAndACopiedSmallFileGoInOneWrite(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/thread-self")), "needs Linux's /proc/thread-self");
        byte[] body = TestSupport.randomBytes(1024, 5);
        SharedFile shared = SharedFile.open(Files.write(dir.resolve("1k.bin"), body));
        byte[] headBytes = "HEAD1234".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer head = ByteBuffer.allocateDirect(headBytes.length).put(headBytes).flip();
        AtomicReference<Path> loopTask = new AtomicReference<>();
        ProtocolHandler sender = new ProtocolHandler() {
            @Override
            public void onRead(Connection connection, ByteBuffer data) {
                if (loopTask.get() == null) {
                    loopTask.set(threadSelf());
                }
                data.position(data.limit());
                connection.write(head.clear());
                connection.sendFile(shared, 0, body.length, FileSendMode.COPY);
            }
        };
        try (ProtocolServer server = ProtocolServer.builder().engine(Engines.require(ReactorEngine.NAME))
                .model(ThreadingModel.SINGLE).threads(1).handler(() -> sender).bind(TestSupport.loopback(0));
             Socket client = new Socket()) {
            client.connect(server.localAddress(), 5000);
            client.setSoTimeout(10_000);
            byte[] response = new byte[headBytes.length + body.length];
            exchange(client, response);
            byte[] expected = new byte[response.length];
            System.arraycopy(headBytes, 0, expected, 0, headBytes.length);
            System.arraycopy(body, 0, expected, headBytes.length, body.length);
            assertArrayEquals(expected, response, "the head, then the file");

            long before = writeCalls(loopTask.get());
            for (int i = 0; i < RESPONSES; i++) {
                exchange(client, response);
            }
            long writes = writeCalls(loopTask.get()) - before;
            assertEquals(RESPONSES, writes, "write calls of the loop thread for " + RESPONSES + " responses");
            assertArrayEquals(expected, response, "the last response");
        } finally {
            TestSupport.eventually(() -> shared.references() == 1, "every send let go of " + shared);
            shared.release();
        }
    }

    /** {@code /proc/self/task/TID} of the calling thread. */
    private static Path threadSelf() {
        try {
            return Path.of("/proc").resolve(Files.readSymbolicLink(Path.of("/proc/thread-self")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The thread's write-like system calls so far ({@code write}, {@code writev}, {@code sendfile}, ...). */
    private static long writeCalls(Path task) throws IOException {
        for (String line : Files.readAllLines(task.resolve("io"))) {
            if (line.startsWith("syscw:")) {
                return Long.parseLong(line.substring("syscw:".length()).trim());
            }
        }
        throw new IllegalStateException("no syscw in " + task.resolve("io"));
    }

    private static void exchange(Socket client, byte[] response) throws IOException {
        client.getOutputStream().write('?');
        assertEquals(response.length, client.getInputStream().readNBytes(response, 0, response.length),
                "bytes of the response");
    }
}
