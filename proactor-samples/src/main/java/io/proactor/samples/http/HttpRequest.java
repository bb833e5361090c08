package io.proactor.samples.http;

import java.util.List;
import java.util.Locale;

/**
 * One parsed request head.
 *
 * @param method        the method token, case-sensitive as RFC 9110 says ({@code GET}, {@code HEAD}, ...)
 * @param target        the request target as sent (origin form {@code /path?query}, or absolute form)
 * @param minorVersion  0 for HTTP/1.0, 1 for HTTP/1.1 (and any later 1.x, which is answered as 1.1)
 * @param headers       the header fields in arrival order, names in lower case, values without surrounding
 *                      whitespace
 * @param contentLength length of the request body that follows the head (0 when there is none); the parser
 *                      skips it before the next request
 */
public record HttpRequest(String method, String target, int minorVersion, List<Header> headers, long contentLength) {

    /** A header field; {@code name} is lower case. */
    public record Header(String name, String value) {
    }

    /** The value of the first field called {@code name} (any case), or {@code null}. */
    public String header(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        for (Header h : headers) {
            if (h.name.equals(key)) {
                return h.value;
            }
        }
        return null;
    }

    /** How many fields are called {@code name} (any case). */
    public int headerCount(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        int n = 0;
        for (Header h : headers) {
            if (h.name.equals(key)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether the connection stays open after the response (RFC 9112 section 9.3): HTTP/1.1 unless the
     * {@code Connection} field holds {@code close}; HTTP/1.0 only when it holds {@code keep-alive}.
     */
    public boolean keepAlive() {
        boolean close = false;
        boolean keepAlive = false;
        for (Header h : headers) {
            if (!h.name.equals("connection")) {
                continue;
            }
            for (String option : h.value.split(",")) {
                String o = option.trim();
                close |= o.equalsIgnoreCase("close");
                keepAlive |= o.equalsIgnoreCase("keep-alive");
            }
        }
        return !close && (minorVersion >= 1 || keepAlive);
    }

    /** The path part of the target (before any {@code ?}), still percent-encoded. */
    public String rawPath() {
        String t = target;
        if (!t.startsWith("/")) {
            // absolute form: scheme "://" authority path; the parser checked the scheme
            int authority = t.indexOf("://") + 3;
            int slash = t.indexOf('/', authority);
            int query = t.indexOf('?', authority);
            if (slash < 0 || (query >= 0 && query < slash)) {
                return "/";
            }
            t = t.substring(slash);
        }
        int q = t.indexOf('?');
        return q < 0 ? t : t.substring(0, q);
    }

    /** The query with its {@code ?}, or an empty string. */
    public String rawQuery() {
        int q = target.indexOf('?');
        return q < 0 ? "" : target.substring(q);
    }
}
