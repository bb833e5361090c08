package io.proactor.samples.http;

import io.proactor.SharedFile;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolHandler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The protocol handler of one HTTP/1.1 connection: parses requests as bytes arrive and answers each in order
 * (pipelined requests queue their responses behind each other on the connection), GET and HEAD of files only.
 *
 * <p>A response head is written with {@code Connection.write}; the body follows with {@code Connection.sendFile}
 * of the file the resolver's open-file cache keeps open ({@link SharedFile}): copied into the response up to the
 * copy threshold, zero-copy above it, {@code O_DIRECT} reads at or above the direct-I/O threshold.
 *
 * <p><b>Allocation.</b> A request for a file, asked for again, is answered without allocating in this class, the
 * parser, the resolver or the response head: the request is read in place ({@link HttpRequestView}), the head is
 * built in a reused buffer, dates and the entity tag are written as bytes, and the file and its attributes come
 * from the open-file cache; error responses, ranges and the access log allocate as they need.
 *
 * <p><b>Closing.</b> When a response ends the connection (the client asked, HTTP/1.0, or the request could
 * not be parsed), the server shuts down its output after the response and reads and drops whatever else
 * arrives until the client closes its side, or for the header timeout: closing with unread input would make
 * the kernel send a reset, which can destroy the response before the client read it.
 *
 * <p><b>Threading.</b> Callbacks and {@link #onDeadline} run on the connection's callback thread;
 * {@link #expiredAt} is called by the server's timer thread and only reads the volatile deadline.
 */
final class HttpConnection implements ProtocolHandler {

    private static final Set<String> OTHER_KNOWN_METHODS =
            Set.of("POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    private static final byte[] ROOT_PATH = {'/'};
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private enum Phase {
        /** Waiting for the first byte of a request (keep-alive): the idle timeout runs. */
        IDLE,
        /** Part of a request has arrived: the header timeout runs. */
        REQUEST,
        /** The last response is queued, output shut down; input is dropped until the peer closes. */
        CLOSING
    }

    private final HttpFileServer server;
    private final HttpRequestParser parser = new HttpRequestParser();
    private final HttpResponseHead head = new HttpResponseHead();
    private final HttpPathResolver.Target target = new HttpPathResolver.Target();
    private final byte[] etag = new byte[2 + 16 + 1 + 16 + 1]; // '"' hex '-' hex '"'
    private int etagLength;
    private Path typedFile;
    private String mediaType;
    private final long idleTimeoutNanos;
    private final long headerTimeoutNanos;
    private final AtomicBoolean expiryQueued = new AtomicBoolean();
    private volatile Connection connection;
    private volatile long deadline; // System.nanoTime() at which the phase's timeout expires
    private Phase phase = Phase.IDLE;

    HttpConnection(HttpFileServer server) {
        this.server = server;
        this.idleTimeoutNanos = server.config.idleTimeout().toNanos();
        this.headerTimeoutNanos = server.config.headerTimeout().toNanos();
    }

    Connection connection() {
        return connection;
    }

    @Override
    public void onOpen(Connection c) {
        connection = c;
        if (!server.admit(this)) {
            shortResponse(null, 503, false, "Retry-After", "1");
            return;
        }
        arm(Phase.IDLE, idleTimeoutNanos);
    }

    @Override
    public void onRead(Connection c, ByteBuffer data) {
        boolean answered = false;
        while (phase != Phase.CLOSING) {
            try {
                if (!parser.next(data)) {
                    break;
                }
            } catch (HttpParseException e) {
                shortResponse(null, e.status(), false, null, null);
                break;
            }
            answered = true;
            answer(parser.view());
        }
        if (phase == Phase.CLOSING) {
            data.position(data.limit());
        } else if (!parser.inProgress()) {
            arm(Phase.IDLE, idleTimeoutNanos);
        } else if (phase == Phase.IDLE || answered) {
            // the header timeout counts from a request's first byte: trickling bytes do not extend it
            arm(Phase.REQUEST, headerTimeoutNanos);
        }
    }

    @Override
    public void onClose(Connection c, Throwable cause) {
        deadline = 0;
        server.closed(this);
    }

    /** Timer thread: whether the deadline has passed and the check is not already queued to the connection. */
    boolean expiredAt(long now) {
        long d = deadline;
        return d != 0 && now - d >= 0 && expiryQueued.compareAndSet(false, true);
    }

    /** Callback thread: acts on an expired deadline, unless a callback moved it meanwhile. */
    void onDeadline() {
        expiryQueued.set(false);
        long d = deadline;
        if (d == 0 || System.nanoTime() - d < 0 || !connection.isOpen()) {
            return;
        }
        deadline = 0;
        if (phase == Phase.REQUEST) {
            shortResponse(null, 408, false, null, null);
        } else {
            connection.close(); // idle keep-alive, or the peer never closed after our last response
        }
    }

    private void arm(Phase next, long timeoutNanos) {
        phase = next;
        deadline = System.nanoTime() + timeoutNanos;
    }

    private void answer(HttpRequestView request) {
        boolean isHead = request.methodIs("HEAD");
        boolean keepAlive = request.keepAlive();
        if (!isHead && !request.methodIs("GET")) {
            boolean known = OTHER_KNOWN_METHODS.contains(request.method());
            shortResponse(request, known ? 405 : 501, keepAlive, "Allow", "GET, HEAD");
            return;
        }
        int pathFrom = request.pathFrom();
        int status = pathFrom < 0 ? server.resolver.resolve(ROOT_PATH, 0, 1, target)
                : server.resolver.resolve(request.bytes, pathFrom, request.pathTo(pathFrom), target);
        switch (status) {
            case 200 -> {
                SharedFile file = target.shared;
                target.shared = null;
                try {
                    file(request, file, target.file, target.attributes.size(), target.modifiedMicros, isHead, keepAlive);
                } finally {
                    file.release(); // the resolver's reference to us; a queued send holds its own
                }
            }
            case 301 -> shortResponse(request, 301, keepAlive, "Location", target.location + request.rawQuery());
            default -> shortResponse(request, status, keepAlive, null, null);
        }
    }

    private void file(HttpRequestView request, SharedFile shared, Path file, long size, long modifiedMicros,
                      boolean isHead, boolean keepAlive) {
        long modified = TimeUnit.MICROSECONDS.toSeconds(modifiedMicros);
        etag(modifiedMicros, size);
        if (notModified(request, modified)) {
            head.start(304).name("ETag").append(etag, 0, etagLength).endField()
                    .name("Last-Modified").date(modified).endField();
            finish(request, 304, 0, keepAlive);
            return;
        }
        long[] range = isHead || request.field("range") < 0 ? null
                : HttpRanges.select(request.value("range"), request.value("if-range"), size,
                        new String(etag, 0, etagLength, StandardCharsets.US_ASCII), modified);
        if (range == HttpRanges.UNSATISFIABLE) {
            shortResponse(request, 416, keepAlive, "Content-Range", "bytes */" + size);
            return;
        }
        long start = range == null ? 0 : range[0];
        long length = range == null ? size : range[1] - range[0] + 1;
        int status = range == null ? 200 : 206;
        head.start(status)
                .header("Content-Type", mediaType(file))
                .header("Content-Length", length)
                .name("Last-Modified").date(modified).endField()
                .name("ETag").append(etag, 0, etagLength).endField()
                .header("Accept-Ranges", "bytes");
        if (range != null) {
            head.name("Content-Range").append("bytes ").decimal(range[0]).append("-").decimal(range[1])
                    .append("/").decimal(size).endField();
        }
        if (isHead || length == 0) {
            finish(request, status, 0, keepAlive);
            return;
        }
        Connection.FileSendMode mode = size >= server.config.directIoThreshold() ? Connection.FileSendMode.DIRECT_IO
                : length <= server.config.copyThreshold() ? Connection.FileSendMode.COPY
                : Connection.FileSendMode.ZERO_COPY;
        writeHead(keepAlive, request.minorVersion());
        connection.sendFile(shared, start, length, mode);
        logAndMaybeClose(request, status, length, keepAlive);
    }

    /** The entity tag of a file version: {@code "<modified, microseconds, hex>-<size, hex>"}, into {@link #etag}. */
    private void etag(long modifiedMicros, long size) {
        int n = 0;
        etag[n++] = '"';
        n = hex(modifiedMicros, n);
        etag[n++] = '-';
        n = hex(size, n);
        etag[n++] = '"';
        etagLength = n;
    }

    /** {@code value} as {@code Long.toHexString} writes it (unsigned, lower case), into {@link #etag} at {@code n}. */
    private int hex(long value, int n) {
        int digits = Math.max(1, (64 - Long.numberOfLeadingZeros(value) + 3) / 4);
        for (int i = digits - 1; i >= 0; i--) {
            etag[n++] = HEX_DIGITS[(int) (value >>> (4 * i)) & 15];
        }
        return n;
    }

    /** The media type of the file, remembered for the file last served (the resolver hands out the same Path). */
    private String mediaType(Path file) {
        if (file != typedFile) {
            mediaType = MediaTypes.of(file.getFileName().toString());
            typedFile = file;
        }
        return mediaType;
    }

    /** RFC 9110 section 13.2.2: If-None-Match decides when present, otherwise If-Modified-Since. */
    private boolean notModified(HttpRequestView request, long modifiedSecond) {
        int noneMatch = request.field("if-none-match");
        if (noneMatch >= 0) {
            byte[] b = request.bytes;
            int end = request.valueTo(noneMatch);
            for (int from = request.valueFrom(noneMatch); from <= end; ) {
                int comma = request.indexOf((byte) ',', from, end);
                int to = comma < 0 ? end : comma;
                int t = request.skipWhitespace(from, to);
                int tEnd = request.trimWhitespace(t, to);
                if (tEnd - t == 1 && b[t] == '*') {
                    return true;
                }
                if (tEnd - t >= 2 && b[t] == 'W' && b[t + 1] == '/') {
                    t += 2; // weak comparison, as If-None-Match uses
                }
                if (Arrays.equals(b, t, tEnd, etag, 0, etagLength)) {
                    return true;
                }
                from = to + 1;
            }
            return false;
        }
        int since = request.field("if-modified-since");
        if (since < 0) {
            return false;
        }
        long sinceSecond = HttpDates.parse(request.bytes, request.valueFrom(since), request.valueTo(since));
        return sinceSecond >= 0 && modifiedSecond <= sinceSecond;
    }

    /**
     * A response whose body is its status as text (none for HEAD): errors, redirects, 503; {@code request} is
     * null when there is none (unparsable, timed out, refused at connect).
     */
    private void shortResponse(HttpRequestView request, int status, boolean keepAlive, String extraName, String extraValue) {
        byte[] body = (status + " " + HttpResponseHead.reason(status) + "\n").getBytes(StandardCharsets.US_ASCII);
        boolean withBody = status != 304 && (request == null || !request.methodIs("HEAD"));
        head.start(status).header("Content-Type", "text/plain; charset=utf-8").header("Content-Length", body.length);
        if (extraName != null) {
            head.header(extraName, extraValue);
        }
        writeHead(keepAlive, request == null ? 1 : request.minorVersion());
        if (withBody) {
            connection.write(ByteBuffer.wrap(body));
        }
        logAndMaybeClose(request, status, withBody ? body.length : 0, keepAlive);
    }

    private void finish(HttpRequestView request, int status, long bodyBytes, boolean keepAlive) {
        writeHead(keepAlive, request.minorVersion());
        logAndMaybeClose(request, status, bodyBytes, keepAlive);
    }

    private void writeHead(boolean keepAlive, int minorVersion) {
        if (!keepAlive) {
            head.header("Connection", "close");
        } else if (minorVersion == 0) {
            head.header("Connection", "keep-alive");
        }
        connection.write(head.end());
    }

    private void logAndMaybeClose(HttpRequestView request, int status, long bodyBytes, boolean keepAlive) {
        if (server.accessLog != null) {
            String line = request == null ? "-"
                    : request.method() + " " + request.target() + " HTTP/1." + request.minorVersion();
            server.accessLog.info("{} \"{}\" {} {}", connection.remoteAddress(), line, status, bodyBytes);
        }
        if (!keepAlive) {
            connection.shutdownOutput();
            arm(Phase.CLOSING, headerTimeoutNanos);
        }
    }
}
