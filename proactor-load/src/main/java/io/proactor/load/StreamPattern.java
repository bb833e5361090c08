package io.proactor.load;

/**
 * The bytes a load sends and expects back, computed from a stream number (the connection, or a file) and the
 * offset in that stream, so that every byte can be checked without keeping a copy.
 */
final class StreamPattern {

    private StreamPattern() {
    }

    /** The byte at {@code offset} of stream {@code stream}. */
    static byte at(int stream, long offset) {
        return (byte) (stream * 31 + offset * 7 + (offset >>> 8));
    }
}
