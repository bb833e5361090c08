package io.proactor.samples.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An incremental parser of HTTP/1.x request heads (RFC 9112), fed with bytes as they arrive, in pieces of any
 * size. Pure: no I/O, no clock, no shared state; one instance per connection, used by one thread at a time.
 *
 * <p>It is strict where leniency lets requests be read two ways (request smuggling, header injection):
 * single spaces in the request line, a token before every colon with no whitespace before it, no obsolete
 * line folding, no control characters but horizontal tab in field values, no bare CR, exactly one
 * {@code Host} in HTTP/1.1, one consistent {@code Content-Length}, and no request bodies in a transfer coding.
 * It is lenient where RFC 9112 allows it and no ambiguity follows: a line may end in LF alone, and empty
 * lines before a request line are ignored.
 *
 * <p>A body announced by {@code Content-Length} (GET and HEAD have none worth reading) is skipped by the next
 * calls, so the request after it is found; bodies larger than {@code maxSkippedBody} are refused (413).
 *
 * <p>Limits: a request line longer than {@code maxRequestLine} bytes is refused with 414, a header section
 * longer than {@code maxHeaderSection} bytes with 431. After an {@link HttpParseException} the parser is
 * spent: where the next request would start is unknown.
 */
public final class HttpRequestParser {

    public static final int DEFAULT_MAX_REQUEST_LINE = 8 * 1024;
    public static final int DEFAULT_MAX_HEADER_SECTION = 16 * 1024;
    public static final long DEFAULT_MAX_SKIPPED_BODY = 1024 * 1024;

    private enum State { REQUEST_LINE, HEADERS, BODY, FAILED }

    /** RFC 9110 section 5.6.2: tchar. */
    private static final boolean[] TOKEN = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private final int maxRequestLine;
    private final int maxHeaderSection;
    private final long maxSkippedBody;
    private byte[] line = new byte[256];
    private int lineLength;
    private State state = State.REQUEST_LINE;
    private int blankLineBytes;
    private int headerSectionBytes;
    private String method;
    private String target;
    private int minorVersion;
    private List<HttpRequest.Header> headers;
    private long bodyRemaining;

    public HttpRequestParser() {
        this(DEFAULT_MAX_REQUEST_LINE, DEFAULT_MAX_HEADER_SECTION, DEFAULT_MAX_SKIPPED_BODY);
    }

    public HttpRequestParser(int maxRequestLine, int maxHeaderSection, long maxSkippedBody) {
        if (maxRequestLine < 16 || maxHeaderSection < 16) {
            throw new IllegalArgumentException("limits must be at least 16 bytes, were request line "
                    + maxRequestLine + ", header section " + maxHeaderSection);
        }
        if (maxSkippedBody < 0) {
            throw new IllegalArgumentException("'maxSkippedBody' must be >= 0, was " + maxSkippedBody);
        }
        this.maxRequestLine = maxRequestLine;
        this.maxHeaderSection = maxHeaderSection;
        this.maxSkippedBody = maxSkippedBody;
    }

    /**
     * Reads bytes from {@code in} until a request head is complete, and returns it with {@code in} positioned
     * just after it (more pipelined requests may follow: call again). Returns {@code null} once {@code in} is
     * used up without completing a request.
     *
     * @throws HttpParseException    the request is malformed or over a limit; its status says which
     * @throws IllegalStateException called again after an {@code HttpParseException}
     */
    public HttpRequest parse(ByteBuffer in) throws HttpParseException {
        if (state == State.FAILED) {
            throw new IllegalStateException("the parser failed earlier; close the connection instead");
        }
        try {
            return parseHeads(in);
        } catch (HttpParseException e) {
            state = State.FAILED;
            throw e;
        }
    }

    /**
     * {@code true} while part of a request (a head, or a body being skipped) has arrived but not all of it:
     * the time a server allows for that is its header timeout.
     */
    public boolean inProgress() {
        return state == State.HEADERS || state == State.BODY || lineLength > 0 || blankLineBytes > 0;
    }

    private HttpRequest parseHeads(ByteBuffer in) throws HttpParseException {
        while (in.hasRemaining()) {
            if (state == State.BODY) {
                int skip = (int) Math.min(bodyRemaining, in.remaining());
                in.position(in.position() + skip);
                bodyRemaining -= skip;
                if (bodyRemaining == 0) {
                    state = State.REQUEST_LINE;
                }
                continue;
            }
            byte b = in.get();
            if (b != '\n') {
                append(b);
                continue;
            }
            int end = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
            int lineBytes = lineLength + 1;
            lineLength = 0;
            if (state == State.REQUEST_LINE) {
                if (end == 0) {
                    // RFC 9112 section 2.2: ignore empty lines before a request line, within the same limit
                    blankLineBytes += lineBytes;
                    if (blankLineBytes > maxRequestLine) {
                        throw new HttpParseException(400, "only empty lines where a request line was expected");
                    }
                    continue;
                }
                requestLine(end);
                state = State.HEADERS;
                headers = new ArrayList<>();
                headerSectionBytes = 0;
                continue;
            }
            headerSectionBytes += lineBytes;
            if (headerSectionBytes > maxHeaderSection) {
                throw headerSectionTooLarge();
            }
            if (end > 0) {
                headerLine(end);
                continue;
            }
            HttpRequest request = endOfHead();
            blankLineBytes = 0;
            if (request.contentLength() > 0) {
                bodyRemaining = request.contentLength();
                state = State.BODY;
            } else {
                state = State.REQUEST_LINE;
            }
            return request;
        }
        return null;
    }

    private void append(byte b) throws HttpParseException {
        int limit = state == State.REQUEST_LINE ? maxRequestLine : maxHeaderSection - headerSectionBytes;
        if (lineLength >= limit) {
            throw state == State.REQUEST_LINE
                    ? new HttpParseException(414, "request line longer than " + maxRequestLine + " bytes")
                    : headerSectionTooLarge();
        }
        if (lineLength == line.length) {
            line = Arrays.copyOf(line, Math.min(line.length * 2, Math.max(maxRequestLine, maxHeaderSection)));
        }
        line[lineLength++] = b;
    }

    private HttpParseException headerSectionTooLarge() {
        return new HttpParseException(431, "header section longer than " + maxHeaderSection + " bytes");
    }

    /** method SP request-target SP HTTP-version, with single spaces (RFC 9112 section 3). */
    private void requestLine(int end) throws HttpParseException {
        int firstSpace = indexOf((byte) ' ', 0, end);
        int secondSpace = firstSpace < 0 ? -1 : indexOf((byte) ' ', firstSpace + 1, end);
        if (firstSpace <= 0 || secondSpace < 0 || indexOf((byte) ' ', secondSpace + 1, end) >= 0) {
            throw new HttpParseException(400, "request line is not 'METHOD TARGET HTTP/1.x' with single spaces");
        }
        for (int i = 0; i < firstSpace; i++) {
            if (!TOKEN[line[i] & 0xff]) {
                throw new HttpParseException(400, "method contains a character not allowed in a token");
            }
        }
        if (secondSpace == firstSpace + 1) {
            throw new HttpParseException(400, "empty request target");
        }
        for (int i = firstSpace + 1; i < secondSpace; i++) {
            int c = line[i] & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                throw new HttpParseException(400, "request target contains a character that must be percent-encoded");
            }
        }
        method = ascii(0, firstSpace);
        target = ascii(firstSpace + 1, secondSpace);
        minorVersion = version(secondSpace + 1, end);
        boolean originForm = target.charAt(0) == '/';
        String lower = target.toLowerCase(Locale.ROOT);
        boolean absoluteForm = lower.startsWith("http://") || lower.startsWith("https://");
        boolean allowed = originForm || absoluteForm
                || (target.equals("*") && method.equals("OPTIONS")) || method.equals("CONNECT");
        if (!allowed) {
            throw new HttpParseException(400, "request target must start with '/' or be an absolute http(s) URI");
        }
    }

    /** "HTTP/" DIGIT "." DIGIT; 1.x is served (x >= 1 as 1.1), other majors get 505. */
    private int version(int from, int end) throws HttpParseException {
        if (end - from != 8 || !ascii(from, from + 5).equals("HTTP/") || line[from + 6] != '.'
                || !isDigit(line[from + 5]) || !isDigit(line[from + 7])) {
            throw new HttpParseException(400, "protocol version is not HTTP/<digit>.<digit>");
        }
        if (line[from + 5] != '1') {
            throw new HttpParseException(505, "only HTTP/1.0 and HTTP/1.1 are supported");
        }
        return line[from + 7] == '0' ? 0 : 1;
    }

    /** field-name ":" OWS field-value OWS (RFC 9112 section 5). */
    private void headerLine(int end) throws HttpParseException {
        if (line[0] == ' ' || line[0] == '\t') {
            throw new HttpParseException(400, "obsolete line folding in the header section");
        }
        int colon = indexOf((byte) ':', 0, end);
        if (colon <= 0) {
            throw new HttpParseException(400, "header line without a field name and a colon");
        }
        for (int i = 0; i < colon; i++) {
            if (!TOKEN[line[i] & 0xff]) {
                throw new HttpParseException(400, "field name contains a character not allowed in a token"
                        + " (whitespace before the colon included)");
            }
        }
        int from = colon + 1;
        int to = end;
        while (from < to && isWhitespace(line[from])) {
            from++;
        }
        while (to > from && isWhitespace(line[to - 1])) {
            to--;
        }
        for (int i = from; i < to; i++) {
            int c = line[i] & 0xff;
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new HttpParseException(400, "field value contains a control character");
            }
        }
        headers.add(new HttpRequest.Header(ascii(0, colon).toLowerCase(Locale.ROOT),
                new String(line, from, to - from, StandardCharsets.ISO_8859_1)));
    }

    private HttpRequest endOfHead() throws HttpParseException {
        HttpRequest request = new HttpRequest(method, target, minorVersion, List.copyOf(headers), 0);
        int hosts = request.headerCount("host");
        if (minorVersion >= 1 ? hosts != 1 : hosts > 1) {
            // RFC 9112 section 3.2: a server MUST respond 400 to an HTTP/1.1 request without exactly one Host
            throw new HttpParseException(400, "an HTTP/1.1 request needs exactly one Host field, it has " + hosts);
        }
        boolean transferCoded = request.headerCount("transfer-encoding") > 0;
        boolean lengthGiven = request.headerCount("content-length") > 0;
        if (transferCoded && (lengthGiven || minorVersion == 0)) {
            // RFC 9112 section 6.1 and 6.3: ambiguous framing, the classic smuggling vector
            throw new HttpParseException(400, "Transfer-Encoding with Content-Length, or in HTTP/1.0");
        }
        if (transferCoded) {
            throw new HttpParseException(501, "request bodies in a transfer coding are not supported here");
        }
        long length = lengthGiven ? contentLength(request) : 0;
        if (length > maxSkippedBody) {
            throw new HttpParseException(413, "request body of " + length + " bytes; at most " + maxSkippedBody
                    + " are accepted (and ignored)");
        }
        return length == 0 ? request
                : new HttpRequest(method, target, minorVersion, request.headers(), length);
    }

    /** Every Content-Length value (repeated fields, comma lists) must be the same decimal number. */
    private static long contentLength(HttpRequest request) throws HttpParseException {
        long length = -1;
        for (HttpRequest.Header h : request.headers()) {
            if (!h.name().equals("content-length")) {
                continue;
            }
            for (String part : h.value().split(",", -1)) {
                String digits = part.trim();
                if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new HttpParseException(400, "Content-Length is not a decimal number");
                }
                long value = Long.parseLong(digits);
                if (length >= 0 && value != length) {
                    throw new HttpParseException(400, "Content-Length values disagree");
                }
                length = value;
            }
        }
        return length;
    }

    private int indexOf(byte b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (line[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private String ascii(int from, int to) {
        return new String(line, from, to - from, StandardCharsets.US_ASCII);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }
}
