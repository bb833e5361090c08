package io.proactor.samples.http;

import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolHandler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The protocol handler of one HTTP/1.1 connection: parses requests as bytes arrive and answers each in order
 * (pipelined requests queue their responses behind each other on the connection), GET and HEAD of files only.
 *
 * <p>A response head is written with {@code Connection.write}; the body follows with {@code Connection.sendFile}:
 * copied into the response up to the copy threshold, zero-copy above it, {@code O_DIRECT} reads at or above the
 * direct-I/O threshold.
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
    private final AtomicBoolean expiryQueued = new AtomicBoolean();
    private volatile Connection connection;
    private volatile long deadline; // System.nanoTime() at which the phase's timeout expires
    private Phase phase = Phase.IDLE;

    HttpConnection(HttpFileServer server) {
        this.server = server;
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
        arm(Phase.IDLE, server.config.idleTimeout().toNanos());
    }

    @Override
    public void onRead(Connection c, ByteBuffer data) {
        boolean answered = false;
        while (phase != Phase.CLOSING) {
            HttpRequest request;
            try {
                request = parser.parse(data);
            } catch (HttpParseException e) {
                shortResponse(null, e.status(), false, null, null);
                break;
            }
            if (request == null) {
                break;
            }
            answered = true;
            answer(request);
        }
        if (phase == Phase.CLOSING) {
            data.position(data.limit());
        } else if (!parser.inProgress()) {
            arm(Phase.IDLE, server.config.idleTimeout().toNanos());
        } else if (phase == Phase.IDLE || answered) {
            // the header timeout counts from a request's first byte: trickling bytes do not extend it
            arm(Phase.REQUEST, server.config.headerTimeout().toNanos());
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

    private void answer(HttpRequest request) {
        String method = request.method();
        boolean isHead = method.equals("HEAD");
        boolean keepAlive = request.keepAlive();
        if (!isHead && !method.equals("GET")) {
            boolean known = OTHER_KNOWN_METHODS.contains(method);
            shortResponse(request, known ? 405 : 501, keepAlive, "Allow", "GET, HEAD");
            return;
        }
        switch (server.resolver.resolve(request.rawPath())) {
            case HttpPathResolver.Found found -> file(request, found, isHead, keepAlive);
            case HttpPathResolver.Redirect redirect ->
                    shortResponse(request, 301, keepAlive, "Location", redirect.location() + request.rawQuery());
            case HttpPathResolver.Refused refused -> shortResponse(request, refused.status(), keepAlive, null, null);
        }
    }

    private void file(HttpRequest request, HttpPathResolver.Found found, boolean isHead, boolean keepAlive) {
        BasicFileAttributes attributes = found.attributes();
        long size = attributes.size();
        long modified = attributes.lastModifiedTime().to(TimeUnit.SECONDS);
        String etag = "\"" + Long.toHexString(attributes.lastModifiedTime().to(TimeUnit.MICROSECONDS)) + "-"
                + Long.toHexString(size) + "\"";
        String lastModified = HttpDates.format(modified);
        if (notModified(request, etag, modified)) {
            head.start(304).header("ETag", etag).header("Last-Modified", lastModified);
            finish(request, 304, 0, keepAlive);
            return;
        }
        long[] range = isHead ? null : HttpRanges.select(request, size, etag, modified);
        if (range == HttpRanges.UNSATISFIABLE) {
            shortResponse(request, 416, keepAlive, "Content-Range", "bytes */" + size);
            return;
        }
        long start = range == null ? 0 : range[0];
        long length = range == null ? size : range[1] - range[0] + 1;
        int status = range == null ? 200 : 206;
        head.start(status)
                .header("Content-Type", MediaTypes.of(found.file().getFileName().toString()))
                .header("Content-Length", length)
                .header("Last-Modified", lastModified)
                .header("ETag", etag)
                .header("Accept-Ranges", "bytes");
        if (range != null) {
            head.header("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + size);
        }
        if (isHead || length == 0) {
            finish(request, status, 0, keepAlive);
            return;
        }
        Connection.FileSendMode mode = size >= server.config.directIoThreshold() ? Connection.FileSendMode.DIRECT_IO
                : length <= server.config.copyThreshold() ? Connection.FileSendMode.COPY
                : Connection.FileSendMode.ZERO_COPY;
        writeHead(keepAlive, request.minorVersion());
        connection.sendFile(found.file(), start, length, mode);
        logAndMaybeClose(request, status, length, keepAlive);
    }

    /** RFC 9110 section 13.2.2: If-None-Match decides when present, otherwise If-Modified-Since. */
    private static boolean notModified(HttpRequest request, String etag, long modifiedSecond) {
        String noneMatch = request.header("if-none-match");
        if (noneMatch != null) {
            for (String tag : noneMatch.split(",")) {
                String t = tag.trim();
                if (t.equals("*") || (t.startsWith("W/") ? t.substring(2) : t).equals(etag)) {
                    return true; // weak comparison, as If-None-Match uses
                }
            }
            return false;
        }
        String since = request.header("if-modified-since");
        if (since == null) {
            return false;
        }
        long sinceSecond = HttpDates.parse(since);
        return sinceSecond >= 0 && modifiedSecond <= sinceSecond;
    }

    /**
     * A response whose body is its status as text (none for HEAD): errors, redirects, 503; {@code request} is
     * null when there is none (unparsable, timed out, refused at connect).
     */
    private void shortResponse(HttpRequest request, int status, boolean keepAlive, String extraName, String extraValue) {
        byte[] body = (status + " " + HttpResponseHead.reason(status) + "\n").getBytes(StandardCharsets.US_ASCII);
        boolean withBody = status != 304 && (request == null || !request.method().equals("HEAD"));
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

    private void finish(HttpRequest request, int status, long bodyBytes, boolean keepAlive) {
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

    private void logAndMaybeClose(HttpRequest request, int status, long bodyBytes, boolean keepAlive) {
        if (server.accessLog != null) {
            String line = request == null ? "-"
                    : request.method() + " " + request.target() + " HTTP/1." + request.minorVersion();
            server.accessLog.info("{} \"{}\" {} {}", connection.remoteAddress(), line, status, bodyBytes);
        }
        if (!keepAlive) {
            connection.shutdownOutput();
            arm(Phase.CLOSING, server.config.headerTimeout().toNanos());
        }
    }
}
