package io.proactor.samples.http;

/**
 * A request the server cannot parse: {@link #status()} is the response it deserves (400, 414, 431, 501, 505).
 * After it the connection is closed, since where the next request would start is unknown.
 */
public final class HttpParseException extends Exception {

    private final int status;

    public HttpParseException(int status, String message) {
        super(message, null, false, false); // an expected outcome of bad input: no stack trace to fill
        this.status = status;
    }

    public int status() {
        return status;
    }
}
