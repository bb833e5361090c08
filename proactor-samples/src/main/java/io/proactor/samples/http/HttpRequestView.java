package io.proactor.samples.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The request head the parser completed last, read in place: offsets into the parser's buffer instead of Strings,
 * so that serving a request allocates nothing. Valid until the parser's next call; one per parser, used on the
 * parser's thread. {@link #toRequest()} copies it out as an {@link HttpRequest}.
 *
 * <p>Field names are lower case (the parser lowers them in place), values have no surrounding whitespace; a
 * field is known by its index, {@code 0 <= i < fieldCount()}, in arrival order. Names given to the look-ups must
 * be lower case.
 */
final class HttpRequestView {

    // Set by the parser when a head is complete.
    byte[] bytes;
    int methodEnd;      // the method is bytes[0, methodEnd)
    int targetFrom;     // the target is bytes[targetFrom, targetTo)
    int targetTo;
    int minorVersion;
    long contentLength;
    int fieldCount;
    int[] fields = new int[4 * 16]; // per field: name from, name to, value from, value to

    boolean methodIs(String method) {
        return equalsAscii(0, methodEnd, method);
    }

    String method() {
        return ascii(0, methodEnd);
    }

    String target() {
        return ascii(targetFrom, targetTo);
    }

    int minorVersion() {
        return minorVersion;
    }

    long contentLength() {
        return contentLength;
    }

    int fieldCount() {
        return fieldCount;
    }

    /** Index of the first field called {@code lowerName}, or -1. */
    int field(String lowerName) {
        for (int i = 0; i < fieldCount; i++) {
            if (equalsAscii(fields[4 * i], fields[4 * i + 1], lowerName)) {
                return i;
            }
        }
        return -1;
    }

    /** How many fields are called {@code lowerName}. */
    int fieldCount(String lowerName) {
        int n = 0;
        for (int i = 0; i < fieldCount; i++) {
            if (equalsAscii(fields[4 * i], fields[4 * i + 1], lowerName)) {
                n++;
            }
        }
        return n;
    }

    boolean nameIs(int field, String lowerName) {
        return equalsAscii(fields[4 * field], fields[4 * field + 1], lowerName);
    }

    int valueFrom(int field) {
        return fields[4 * field + 2];
    }

    int valueTo(int field) {
        return fields[4 * field + 3];
    }

    /** The value of the first field called {@code lowerName} as a String (allocates), or {@code null}. */
    String value(String lowerName) {
        int i = field(lowerName);
        return i < 0 ? null : new String(bytes, valueFrom(i), valueTo(i) - valueFrom(i), StandardCharsets.ISO_8859_1);
    }

    /** As {@link HttpRequest#keepAlive()}, without allocating. */
    boolean keepAlive() {
        boolean close = false;
        boolean keepAlive = false;
        for (int i = 0; i < fieldCount; i++) {
            if (!nameIs(i, "connection")) {
                continue;
            }
            int end = valueTo(i);
            for (int from = valueFrom(i); from <= end; ) {
                int comma = indexOf((byte) ',', from, end);
                int to = comma < 0 ? end : comma;
                int a = skipWhitespace(from, to);
                int b = trimWhitespace(a, to);
                close |= equalsIgnoreCase(a, b, "close");
                keepAlive |= equalsIgnoreCase(a, b, "keep-alive");
                from = to + 1;
            }
        }
        return !close && (minorVersion >= 1 || keepAlive);
    }

    /** Start of the target's path (before any {@code ?}), still percent-encoded; see {@link #pathTo()}. */
    int pathFrom() {
        if (bytes[targetFrom] == '/') {
            return targetFrom;
        }
        // absolute form: scheme "://" authority path; the parser checked the scheme
        int authority = indexOf((byte) ':', targetFrom, targetTo) + 3;
        int slash = indexOf((byte) '/', authority, targetTo);
        int query = indexOf((byte) '?', authority, targetTo);
        return slash < 0 || (query >= 0 && query < slash) ? -1 : slash;
    }

    /**
     * End of the path that starts at {@code pathFrom}; when {@code pathFrom} is -1 (an absolute-form target
     * without a path) the path is "/".
     */
    int pathTo(int pathFrom) {
        int q = indexOf((byte) '?', pathFrom, targetTo);
        return q < 0 ? targetTo : q;
    }

    /** The query with its {@code ?}, or an empty string (allocates). */
    String rawQuery() {
        int q = indexOf((byte) '?', targetFrom, targetTo);
        return q < 0 ? "" : ascii(q, targetTo);
    }

    /** A copy that outlives the next parse. */
    HttpRequest toRequest() {
        List<HttpRequest.Header> headers = new ArrayList<>(fieldCount);
        for (int i = 0; i < fieldCount; i++) {
            headers.add(new HttpRequest.Header(ascii(fields[4 * i], fields[4 * i + 1]),
                    new String(bytes, valueFrom(i), valueTo(i) - valueFrom(i), StandardCharsets.ISO_8859_1)));
        }
        return new HttpRequest(method(), target(), minorVersion, List.copyOf(headers), contentLength);
    }

    boolean equalsAscii(int from, int to, String text) {
        if (to - from != text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (bytes[from + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** ASCII case-insensitive comparison with {@code lowerText}, which is lower case. */
    boolean equalsIgnoreCase(int from, int to, String lowerText) {
        if (to - from != lowerText.length()) {
            return false;
        }
        for (int i = 0; i < lowerText.length(); i++) {
            int c = bytes[from + i];
            if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != lowerText.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    int indexOf(byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    int skipWhitespace(int from, int to) {
        while (from < to && (bytes[from] == ' ' || bytes[from] == '\t')) {
            from++;
        }
        return from;
    }

    int trimWhitespace(int from, int to) {
        while (to > from && (bytes[to - 1] == ' ' || bytes[to - 1] == '\t')) {
            to--;
        }
        return to;
    }

    private String ascii(int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.US_ASCII);
    }
}
