package io.proactor;

import java.nio.file.OpenOption;

/** File open options beyond {@link java.nio.file.StandardOpenOption}, for {@link Proactor#openFile}. */
public enum ProactorOpenOption implements OpenOption {
    /**
     * Direct I/O ({@code O_DIRECT}): reads and writes bypass the page cache. Positions, lengths and buffer
     * addresses must then be multiples of the file system's block size (use
     * {@link java.nio.ByteBuffer#alignedSlice(int)} on a direct buffer); a misaligned operation fails with an
     * {@link java.io.IOException} that says so.
     */
    DIRECT
}
