package io.proactor.samples.http;

import java.nio.ByteBuffer;

/**
 * Builds a response's status line and header fields into bytes, reusing its storage: one per connection, used
 * on that connection's thread. {@code Connection.write} copies, so the buffer {@link #end()} returns may be
 * written and then reused for the next response.
 */
final class HttpResponseHead {

    static final String SERVER = "proactor";

    private final StringBuilder text = new StringBuilder(256);
    private byte[] bytes = new byte[256];

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 416 -> "Range Not Satisfiable";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Internal Server Error";
        };
    }

    /** Starts a response: status line, {@code Server} and {@code Date}. */
    HttpResponseHead start(int status) {
        text.setLength(0);
        text.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        return header("Server", SERVER).header("Date", HttpDates.now());
    }

    HttpResponseHead header(String name, String value) {
        text.append(name).append(": ").append(value).append("\r\n");
        return this;
    }

    HttpResponseHead header(String name, long value) {
        text.append(name).append(": ").append(value).append("\r\n");
        return this;
    }

    /** Ends the header section; the bytes stay valid until the next {@link #start}. */
    ByteBuffer end() {
        text.append("\r\n");
        int n = text.length();
        if (bytes.length < n) {
            bytes = new byte[Math.max(n, bytes.length * 2)];
        }
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) text.charAt(i); // every character put in is ASCII or ISO-8859-1 from the request
        }
        return ByteBuffer.wrap(bytes, 0, n);
    }
}
