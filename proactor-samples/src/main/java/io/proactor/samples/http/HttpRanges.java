package io.proactor.samples.http;

/**
 * The single byte range of a GET (RFC 9110 section 14): {@code bytes=first-last}, {@code bytes=first-} or
 * {@code bytes=-suffix}. Several ranges, other units and malformed values are ignored (the whole file is
 * sent, as the RFC allows); a range that starts past the end is unsatisfiable (416).
 */
final class HttpRanges {

    /** Marker: the range cannot be satisfied. */
    static final long[] UNSATISFIABLE = new long[0];

    private HttpRanges() {
    }

    /**
     * The inclusive {@code [first, last]} to send, {@link #UNSATISFIABLE}, or {@code null} to send the whole
     * file (no usable Range, or an If-Range that no longer matches); {@code range} and {@code ifRange} are the
     * fields' values, {@code null} when absent.
     */
    static long[] select(String range, String ifRange, long size, String etag, long modifiedSecond) {
        if (range == null || !ifRangeHolds(ifRange, etag, modifiedSecond)) {
            return null;
        }
        if (range.length() < 6 || !range.regionMatches(true, 0, "bytes=", 0, 6) || range.indexOf(',') >= 0) {
            return null;
        }
        String spec = range.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        long first = number(spec.substring(0, dash));
        long last = number(spec.substring(dash + 1));
        if (dash == 0) {
            if (last < 0) {
                return null;
            }
            if (last == 0 || size == 0) {
                return UNSATISFIABLE;
            }
            return new long[] {Math.max(0, size - last), size - 1};
        }
        if (first < 0 || (dash < spec.length() - 1 && (last < 0 || last < first))) {
            return null;
        }
        if (first >= size) {
            return UNSATISFIABLE;
        }
        long end = dash == spec.length() - 1 ? size - 1 : Math.min(last, size - 1);
        return new long[] {first, end};
    }

    /** If-Range: a strong entity tag equal to ours, or exactly our Last-Modified date; absent means yes. */
    private static boolean ifRangeHolds(String ifRange, String etag, long modifiedSecond) {
        if (ifRange == null) {
            return true;
        }
        if (ifRange.startsWith("\"") || ifRange.startsWith("W/")) {
            return ifRange.equals(etag);
        }
        long date = HttpDates.parse(ifRange);
        return date >= 0 && date == modifiedSecond;
    }

    /** A decimal number of at most 18 digits, or -1. */
    private static long number(String text) {
        String t = text.trim();
        if (t.isEmpty() || t.length() > 18) {
            return -1;
        }
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(t);
    }
}
