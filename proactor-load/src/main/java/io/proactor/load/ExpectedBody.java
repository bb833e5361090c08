package io.proactor.load;

import java.util.Objects;

/**
 * What a response body must hold, byte for byte: the bytes of a small file, or a pattern computed from the
 * offset for a file too large to keep in memory (see {@link #pattern(int, long)}).
 */
public interface ExpectedBody {

    long length();

    /** The byte at {@code offset} (0 &le; offset &lt; length). */
    byte at(long offset);

    /** The body that is exactly {@code bytes}. */
    static ExpectedBody of(byte[] bytes) {
        Objects.requireNonNull(bytes, "the expected body is null");
        return new ExpectedBody() {
            @Override
            public long length() {
                return bytes.length;
            }

            @Override
            public byte at(long offset) {
                return bytes[(int) offset];
            }
        };
    }

    /**
     * {@code length} bytes of the load's pattern number {@code stream}: what a file written from it holds (the
     * demo's large files), checkable without a copy in memory.
     */
    static ExpectedBody pattern(int stream, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, was " + length);
        }
        return new ExpectedBody() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public byte at(long offset) {
                return StreamPattern.at(stream, offset);
            }
        };
    }
}
