package io.proactor.load;

import io.proactor.protocol.Connection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * The HTTP workload: keep-alive GETs, connection {@code i} asking for {@code gets.get(i % gets.size())} (several
 * files loaded at once, e.g. downloads of different large files); each response's head is parsed (status 200,
 * {@code Content-Length} equal to the file's) and its body compared byte for byte.
 */
public final class HttpLoad extends Workload {

    private final List<HttpGet> gets;

    /** Every connection asks for {@code get}. */
    public HttpLoad(HttpGet get) {
        this(List.of(Objects.requireNonNull(get, "'get' is null")));
    }

    /** Connection {@code i} asks for {@code gets.get(i % gets.size())}. */
    public HttpLoad(List<HttpGet> gets) {
        if (gets == null || gets.isEmpty() || gets.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("give at least one request, and no null: " + gets);
        }
        this.gets = List.copyOf(gets);
    }

    @Override
    LoadSession newSession(ConnectionBatch batch, int connection, int depth) {
        return new HttpSession(batch, connection, gets.get(connection % gets.size()), depth);
    }

    private static final class HttpSession extends LoadSession {
        private static final int MAX_HEAD = 8192;
        private final String path;
        private final byte[] request;
        private final ExpectedBody body;
        private final byte[] head = new byte[MAX_HEAD];
        private int headLength;
        private long bodyOffset = -1; // -1: reading a head

        HttpSession(ConnectionBatch batch, int id, HttpGet get, int depth) {
            super(batch, id, depth);
            this.path = get.path();
            this.request = get.request();
            this.body = get.body();
        }

        @Override
        void send(Connection c) {
            c.write(ByteBuffer.wrap(request));
        }

        @Override
        String progress() {
            return received + " responses";
        }

        @Override
        public void onRead(Connection c, ByteBuffer data) {
            while (data.hasRemaining() && !abandoned) {
                if (bodyOffset < 0) {
                    readHead(c, data.get());
                    continue;
                }
                int n = (int) Math.min(data.remaining(), body.length() - bodyOffset);
                for (int i = 0; i < n; i++) {
                    byte got = data.get();
                    byte expected = body.at(bodyOffset + i);
                    if (got != expected) {
                        fail(c, "response " + received + " on connection " + id + ": body of " + path
                                + " differs from the file at byte " + (bodyOffset + i) + " (expected " + expected
                                + ", got " + got + ")");
                        return;
                    }
                }
                bodyOffset += n;
                batch.bytes.add(n);
                if (bodyOffset == body.length()) {
                    responseDone(c);
                }
            }
        }

        private void readHead(Connection c, byte b) {
            if (headLength == MAX_HEAD) {
                fail(c, "response head over " + MAX_HEAD + " bytes on connection " + id);
                return;
            }
            head[headLength++] = b;
            if (b != '\n' || headLength < 4 || head[headLength - 2] != '\r' || head[headLength - 3] != '\n') {
                return;
            }
            String text = new String(head, 0, headLength, StandardCharsets.ISO_8859_1);
            headLength = 0;
            if (!text.startsWith("HTTP/1.1 200 ")) {
                fail(c, "response " + received + " on connection " + id + ": " + text.lines().findFirst().orElse(""));
                return;
            }
            long length = -1;
            for (String line : text.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("content-length")) {
                    length = Long.parseLong(line.substring(colon + 1).trim());
                }
            }
            if (length != body.length()) {
                fail(c, "response " + received + " on connection " + id + ": Content-Length " + length + ", the file "
                        + "has " + body.length() + " bytes");
                return;
            }
            bodyOffset = 0;
            if (body.length() == 0) {
                responseDone(c);
            }
        }

        private void responseDone(Connection c) {
            bodyOffset = -1;
            answered(c);
        }
    }
}
