package io.proactor.samples.http;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Builds a response's status line and header fields into bytes, reusing its storage (and the buffer it returns):
 * one per connection, used on that connection's thread; numbers and dates are written as digits without making
 * Strings. {@code Connection.write} copies, so the buffer {@link #end()} returns may be
 * written and then reused for the next response.
 */
final class HttpResponseHead {

    static final String SERVER = "proactor";

    private byte[] bytes = new byte[512];
    private int length;
    private ByteBuffer view = ByteBuffer.wrap(bytes); // what end() returns, reused: writing it allocates nothing

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
        length = 0;
        append("HTTP/1.1 ").decimal(status).append(" ").append(reason(status)).endField();
        return header("Server", SERVER).name("Date").append(HttpDates.now()).endField();
    }

    HttpResponseHead header(String name, String value) {
        return name(name).append(value).endField();
    }

    HttpResponseHead header(String name, long value) {
        return name(name).decimal(value).endField();
    }

    /** Starts a field: its name and the colon; append its value, then {@link #endField()}. */
    HttpResponseHead name(String name) {
        return append(name).append(": ");
    }

    HttpResponseHead endField() {
        return append("\r\n");
    }

    /** Appends ASCII or ISO-8859-1 text (what a field value may hold), one byte per character. */
    HttpResponseHead append(String text) {
        int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[length++] = (byte) text.charAt(i);
        }
        return this;
    }

    HttpResponseHead append(byte[] src) {
        return append(src, 0, src.length);
    }

    HttpResponseHead append(byte[] src, int from, int to) {
        ensure(to - from);
        System.arraycopy(src, from, bytes, length, to - from);
        length += to - from;
        return this;
    }

    /** Appends {@code value} in decimal. */
    HttpResponseHead decimal(long value) {
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                return append(Long.toString(value));
            }
            append("-");
            value = -value;
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        ensure(digits);
        for (int i = length + digits - 1; i >= length; i--) {
            bytes[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += digits;
        return this;
    }

    /** Appends {@code epochSecond} as an HTTP date (IMF-fixdate). */
    HttpResponseHead date(long epochSecond) {
        ensure(64);
        length = HttpDates.formatInto(epochSecond, bytes, length);
        return this;
    }

    /** Ends the header section; the bytes stay valid until the next {@link #start}. */
    ByteBuffer end() {
        endField();
        return view.limit(length).position(0);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + more, bytes.length * 2));
            view = ByteBuffer.wrap(bytes);
        }
    }
}
