package io.proactor.samples.http;

import java.nio.ByteBuffer;
import java.util.Arrays;

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
 *
 * <p><b>Allocation.</b> The head is kept in one buffer that grows to the largest head seen (at most the two
 * limits together) and is reused; {@link #next} leaves the parsed head in a reused view of that buffer, so a
 * server parses a valid request without allocating. {@link #parse} copies it out as an {@link HttpRequest}.
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
    private byte[] head = new byte[512]; // the request line and header lines of the head being read, CRs kept
    private int lineStart;                 // where the line being read starts in head
    private int lineLength;
    private State state = State.REQUEST_LINE;
    private int blankLineBytes;
    private int headerSectionBytes;
    private final HttpRequestView view = new HttpRequestView();
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
        return next(in) ? view.toRequest() : null;
    }

    /**
     * As {@link #parse}, but leaves the request in {@link #view()} (valid until the next call) instead of copying
     * it: {@code true} when a request head is complete.
     */
    boolean next(ByteBuffer in) throws HttpParseException {
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

    /** The request {@link #next} completed last. */
    HttpRequestView view() {
        return view;
    }

    /**
     * {@code true} while part of a request (a head, or a body being skipped) has arrived but not all of it:
     * the time a server allows for that is its header timeout.
     */
    public boolean inProgress() {
        return state == State.HEADERS || state == State.BODY || lineLength > 0 || blankLineBytes > 0;
    }

    private boolean parseHeads(ByteBuffer in) throws HttpParseException {
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
            int from = lineStart;
            int end = lineLength > 0 && head[from + lineLength - 1] == '\r' ? from + lineLength - 1 : from + lineLength;
            int lineBytes = lineLength + 1;
            lineStart += lineLength;
            lineLength = 0;
            if (state == State.REQUEST_LINE) {
                if (end == from) {
                    // RFC 9112 section 2.2: ignore empty lines before a request line, within the same limit
                    blankLineBytes += lineBytes;
                    if (blankLineBytes > maxRequestLine) {
                        throw new HttpParseException(400, "only empty lines where a request line was expected");
                    }
                    lineStart = 0; // empty lines are not kept
                    continue;
                }
                requestLine(end);
                state = State.HEADERS;
                view.fieldCount = 0;
                headerSectionBytes = 0;
                continue;
            }
            headerSectionBytes += lineBytes;
            if (headerSectionBytes > maxHeaderSection) {
                throw headerSectionTooLarge();
            }
            if (end > from) {
                headerLine(from, end);
                continue;
            }
            endOfHead();
            lineStart = 0;
            blankLineBytes = 0;
            if (view.contentLength > 0) {
                bodyRemaining = view.contentLength;
                state = State.BODY;
            } else {
                state = State.REQUEST_LINE;
            }
            return true;
        }
        return false;
    }

    private void append(byte b) throws HttpParseException {
        int limit = state == State.REQUEST_LINE ? maxRequestLine : maxHeaderSection - headerSectionBytes;
        if (lineLength >= limit) {
            throw state == State.REQUEST_LINE
                    ? new HttpParseException(414, "request line longer than " + maxRequestLine + " bytes")
                    : headerSectionTooLarge();
        }
        int at = lineStart + lineLength;
        if (at == head.length) {
            // a head holds at most maxRequestLine bytes of request line and maxHeaderSection of header lines
            head = Arrays.copyOf(head, Math.min(head.length * 2, maxRequestLine + maxHeaderSection));
        }
        head[at] = b;
        lineLength++;
    }

    private HttpParseException headerSectionTooLarge() {
        return new HttpParseException(431, "header section longer than " + maxHeaderSection + " bytes");
    }

    /** method SP request-target SP HTTP-version, with single spaces (RFC 9112 section 3); it starts at 0. */
    private void requestLine(int end) throws HttpParseException {
        int firstSpace = indexOf((byte) ' ', 0, end);
        int secondSpace = firstSpace < 0 ? -1 : indexOf((byte) ' ', firstSpace + 1, end);
        if (firstSpace <= 0 || secondSpace < 0 || indexOf((byte) ' ', secondSpace + 1, end) >= 0) {
            throw new HttpParseException(400, "request line is not 'METHOD TARGET HTTP/1.x' with single spaces");
        }
        for (int i = 0; i < firstSpace; i++) {
            if (!TOKEN[head[i] & 0xff]) {
                throw new HttpParseException(400, "method contains a character not allowed in a token");
            }
        }
        if (secondSpace == firstSpace + 1) {
            throw new HttpParseException(400, "empty request target");
        }
        for (int i = firstSpace + 1; i < secondSpace; i++) {
            int c = head[i] & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                throw new HttpParseException(400, "request target contains a character that must be percent-encoded");
            }
        }
        view.bytes = head;
        view.methodEnd = firstSpace;
        view.targetFrom = firstSpace + 1;
        view.targetTo = secondSpace;
        view.minorVersion = version(secondSpace + 1, end);
        boolean originForm = head[firstSpace + 1] == '/';
        boolean absoluteForm = startsWithIgnoreCase(firstSpace + 1, secondSpace, "http://")
                || startsWithIgnoreCase(firstSpace + 1, secondSpace, "https://");
        boolean allowed = originForm || absoluteForm
                || (view.equalsAscii(firstSpace + 1, secondSpace, "*") && view.methodIs("OPTIONS"))
                || view.methodIs("CONNECT");
        if (!allowed) {
            throw new HttpParseException(400, "request target must start with '/' or be an absolute http(s) URI");
        }
    }

    /** "HTTP/" DIGIT "." DIGIT; 1.x is served (x >= 1 as 1.1), other majors get 505. */
    private int version(int from, int end) throws HttpParseException {
        if (end - from != 8 || !view.equalsAscii(from, from + 5, "HTTP/") || head[from + 6] != '.'
                || !isDigit(head[from + 5]) || !isDigit(head[from + 7])) {
            throw new HttpParseException(400, "protocol version is not HTTP/<digit>.<digit>");
        }
        if (head[from + 5] != '1') {
            throw new HttpParseException(505, "only HTTP/1.0 and HTTP/1.1 are supported");
        }
        return head[from + 7] == '0' ? 0 : 1;
    }

    /** field-name ":" OWS field-value OWS (RFC 9112 section 5), in head[start, end). */
    private void headerLine(int start, int end) throws HttpParseException {
        if (head[start] == ' ' || head[start] == '\t') {
            throw new HttpParseException(400, "obsolete line folding in the header section");
        }
        int colon = indexOf((byte) ':', start, end);
        if (colon <= start) {
            throw new HttpParseException(400, "header line without a field name and a colon");
        }
        for (int i = start; i < colon; i++) {
            if (!TOKEN[head[i] & 0xff]) {
                throw new HttpParseException(400, "field name contains a character not allowed in a token"
                        + " (whitespace before the colon included)");
            }
            if (head[i] >= 'A' && head[i] <= 'Z') {
                head[i] += 32; // names are compared in lower case
            }
        }
        int from = colon + 1;
        int to = end;
        while (from < to && isWhitespace(head[from])) {
            from++;
        }
        while (to > from && isWhitespace(head[to - 1])) {
            to--;
        }
        for (int i = from; i < to; i++) {
            int c = head[i] & 0xff;
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new HttpParseException(400, "field value contains a control character");
            }
        }
        int n = view.fieldCount;
        if (4 * n == view.fields.length) {
            view.fields = Arrays.copyOf(view.fields, 2 * view.fields.length);
        }
        view.fields[4 * n] = start;
        view.fields[4 * n + 1] = colon;
        view.fields[4 * n + 2] = from;
        view.fields[4 * n + 3] = to;
        view.fieldCount = n + 1;
    }

    private void endOfHead() throws HttpParseException {
        view.bytes = head; // the buffer may have grown since the request line
        int minorVersion = view.minorVersion;
        int hosts = view.fieldCount("host");
        if (minorVersion >= 1 ? hosts != 1 : hosts > 1) {
            // RFC 9112 section 3.2: a server MUST respond 400 to an HTTP/1.1 request without exactly one Host
            throw new HttpParseException(400, "an HTTP/1.1 request needs exactly one Host field, it has " + hosts);
        }
        boolean transferCoded = view.field("transfer-encoding") >= 0;
        boolean lengthGiven = view.field("content-length") >= 0;
        if (transferCoded && (lengthGiven || minorVersion == 0)) {
            // RFC 9112 section 6.1 and 6.3: ambiguous framing, the classic smuggling vector
            throw new HttpParseException(400, "Transfer-Encoding with Content-Length, or in HTTP/1.0");
        }
        if (transferCoded) {
            throw new HttpParseException(501, "request bodies in a transfer coding are not supported here");
        }
        long length = lengthGiven ? contentLength() : 0;
        if (length > maxSkippedBody) {
            throw new HttpParseException(413, "request body of " + length + " bytes; at most " + maxSkippedBody
                    + " are accepted (and ignored)");
        }
        view.contentLength = length;
    }

    /** Every Content-Length value (repeated fields, comma lists) must be the same decimal number. */
    private long contentLength() throws HttpParseException {
        long length = -1;
        for (int i = 0; i < view.fieldCount; i++) {
            if (!view.nameIs(i, "content-length")) {
                continue;
            }
            int end = view.valueTo(i);
            for (int from = view.valueFrom(i); from <= end; ) {
                int comma = indexOf((byte) ',', from, end);
                int to = comma < 0 ? end : comma;
                int a = view.skipWhitespace(from, to);
                int b = view.trimWhitespace(a, to);
                if (a == b || b - a > 18) {
                    throw new HttpParseException(400, "Content-Length is not a decimal number");
                }
                long value = 0;
                for (int d = a; d < b; d++) {
                    if (!isDigit(head[d])) {
                        throw new HttpParseException(400, "Content-Length is not a decimal number");
                    }
                    value = value * 10 + (head[d] - '0');
                }
                if (length >= 0 && value != length) {
                    throw new HttpParseException(400, "Content-Length values disagree");
                }
                length = value;
                from = to + 1;
            }
        }
        return length;
    }

    private int indexOf(byte b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (head[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private boolean startsWithIgnoreCase(int from, int to, String lowerPrefix) {
        return to - from >= lowerPrefix.length() && view.equalsIgnoreCase(from, from + lowerPrefix.length(), lowerPrefix);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }
}
