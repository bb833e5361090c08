package io.proactor.samples.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link HttpFileServer}.
 *
 * @param root              the directory served
 * @param directIoThreshold files of at least this many bytes are sent with {@code O_DIRECT} reads
 *                          ({@code FileSendMode.DIRECT_IO}); smaller ones from the page cache
 * @param copyThreshold     responses of at most this many bytes of a file (below the direct-I/O threshold) are
 *                          read into the response and sent with its head ({@code FileSendMode.COPY}); larger
 *                          ones go zero-copy ({@code FileSendMode.ZERO_COPY}); 0: always zero-copy
 * @param headerTimeout     how long a request head may take to arrive from its first byte (slow clients);
 *                          also how long a closing connection waits for the peer's FIN before closing anyway
 * @param idleTimeout       how long a keep-alive connection may wait for its next request
 * @param maxConnections    connections served at once; more are answered 503 and closed
 * @param accessLog         one line per request through the SLF4J logger {@value HttpFileServer#ACCESS_LOGGER}
 * @param backlog           listen backlog: connections the kernel may queue before the server accepts them; 0
 *                          (the default) for the kernel's limit, {@code net.core.somaxconn}
 *                          ({@code ProtocolServer.Builder.backlog})
 * @param sendTimeout       how long a response may make no progress (the client stopped reading) before its
 *                          connection is closed, nginx's {@code send_timeout}; {@link Duration#ZERO}: never
 *                          ({@code ProtocolServer.Builder.sendTimeout})
 * @param fileCacheValidity how long what the open-file cache knows of a path (the open file, its attributes, or
 *                          that it is missing or forbidden) is trusted before the path is checked again (nginx's
 *                          {@code open_file_cache_valid}); errors are trusted for at most one second of it.
 *                          {@link Duration#ZERO}: checked on every request, still without reopening a file that
 *                          did not change ({@link HttpPathResolver})
 */
public record HttpServerConfig(Path root, long directIoThreshold, long copyThreshold, Duration headerTimeout,
                               Duration idleTimeout, int maxConnections, boolean accessLog, int backlog,
                               Duration sendTimeout, Duration fileCacheValidity) {

    public static final long DEFAULT_DIRECT_IO_THRESHOLD = 4L * 1024 * 1024;
    public static final long DEFAULT_COPY_THRESHOLD = 16 * 1024;
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_FILE_CACHE_VALIDITY = Duration.ofSeconds(5);

    public HttpServerConfig {
        Objects.requireNonNull(root, "'root' is null: give the directory to serve");
        Objects.requireNonNull(headerTimeout, "'headerTimeout' is null");
        Objects.requireNonNull(idleTimeout, "'idleTimeout' is null");
        if (directIoThreshold < 0) {
            throw new IllegalArgumentException("'directIoThreshold' must be >= 0 bytes, was " + directIoThreshold);
        }
        if (copyThreshold < 0) {
            throw new IllegalArgumentException("'copyThreshold' must be >= 0 bytes, was " + copyThreshold);
        }
        if (headerTimeout.toMillis() < 1 || idleTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("timeouts must be at least 1 ms, were header " + headerTimeout
                    + ", idle " + idleTimeout);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("'maxConnections' must be at least 1, was " + maxConnections);
        }
        if (backlog < 0) {
            throw new IllegalArgumentException("'backlog' must be >= 0 (0: the default), was " + backlog);
        }
        Objects.requireNonNull(sendTimeout, "'sendTimeout' is null: use Duration.ZERO for none");
        if (sendTimeout.isNegative()) {
            throw new IllegalArgumentException("'sendTimeout' must not be negative (zero: none), was " + sendTimeout);
        }
        Objects.requireNonNull(fileCacheValidity, "'fileCacheValidity' is null: use Duration.ZERO to check every request");
        if (fileCacheValidity.isNegative()) {
            throw new IllegalArgumentException("'fileCacheValidity' must not be negative (zero: check every request), "
                    + "was " + fileCacheValidity);
        }
    }

    /**
     * Defaults for serving {@code root}: 4 MiB direct-I/O threshold, 16 KiB copy threshold, 10 s header and
     * 60 s idle timeouts, 10,000 connections, no access log, the kernel's {@code somaxconn} as listen backlog,
     * a 60 s send timeout, paths checked again after 5 s in the open-file cache.
     */
    public static HttpServerConfig of(Path root) {
        return new HttpServerConfig(root, DEFAULT_DIRECT_IO_THRESHOLD, DEFAULT_COPY_THRESHOLD, DEFAULT_HEADER_TIMEOUT,
                DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, false, 0, DEFAULT_SEND_TIMEOUT,
                DEFAULT_FILE_CACHE_VALIDITY);
    }

    public HttpServerConfig withDirectIoThreshold(long bytes) {
        return new HttpServerConfig(root, bytes, copyThreshold, headerTimeout, idleTimeout, maxConnections, accessLog,
                backlog, sendTimeout, fileCacheValidity);
    }

    public HttpServerConfig withCopyThreshold(long bytes) {
        return new HttpServerConfig(root, directIoThreshold, bytes, headerTimeout, idleTimeout, maxConnections,
                accessLog, backlog, sendTimeout, fileCacheValidity);
    }

    public HttpServerConfig withTimeouts(Duration header, Duration idle) {
        return new HttpServerConfig(root, directIoThreshold, copyThreshold, header, idle, maxConnections, accessLog,
                backlog, sendTimeout, fileCacheValidity);
    }

    public HttpServerConfig withMaxConnections(int n) {
        return new HttpServerConfig(root, directIoThreshold, copyThreshold, headerTimeout, idleTimeout, n, accessLog,
                backlog, sendTimeout, fileCacheValidity);
    }

    public HttpServerConfig withAccessLog(boolean on) {
        return new HttpServerConfig(root, directIoThreshold, copyThreshold, headerTimeout, idleTimeout, maxConnections,
                on, backlog, sendTimeout, fileCacheValidity);
    }

    /** With listen backlog {@code n}; 0 for the kernel's {@code somaxconn}. */
    public HttpServerConfig withBacklog(int n) {
        return new HttpServerConfig(root, directIoThreshold, copyThreshold, headerTimeout, idleTimeout, maxConnections,
                accessLog, n, sendTimeout, fileCacheValidity);
    }

    /** With send timeout {@code timeout}; {@link Duration#ZERO} for none. */
    public HttpServerConfig withSendTimeout(Duration timeout) {
        return new HttpServerConfig(root, directIoThreshold, copyThreshold, headerTimeout, idleTimeout, maxConnections,
                accessLog, backlog, timeout, fileCacheValidity);
    }

    /** With open-file cache validity {@code validity}; {@link Duration#ZERO} to check the file on every request. */
    public HttpServerConfig withFileCacheValidity(Duration validity) {
        return new HttpServerConfig(root, directIoThreshold, copyThreshold, headerTimeout, idleTimeout, maxConnections,
                accessLog, backlog, sendTimeout, validity);
    }
}
