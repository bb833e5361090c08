package io.proactor.load;

import java.nio.charset.StandardCharsets;

/**
 * The HTTP request of an {@link HttpLoad}: {@code GET path} with keep-alive, answered by {@code 200} and exactly
 * {@code body}.
 */
public record HttpGet(String path, ExpectedBody body) {

    /** A GET answered by exactly {@code body}. */
    public HttpGet(String path, byte[] body) {
        this(path, ExpectedBody.of(body));
    }

    public HttpGet {
        if (path == null || !path.startsWith("/") || !path.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("the path must start with '/' and hold only visible ASCII "
                    + "(percent-encode the rest), was " + path);
        }
        if (body == null) {
            throw new IllegalArgumentException("the expected body is null");
        }
    }

    byte[] request() {
        return ("GET " + path + " HTTP/1.1\r\nHost: load\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
