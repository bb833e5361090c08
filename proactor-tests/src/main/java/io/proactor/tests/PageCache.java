package io.proactor.tests;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How much of a file the page cache holds, measured in process with {@code mincore(2)} (what util-linux's
 * {@code fincore} does), so a test needs no tool: the file is mapped (a mapping reads nothing) and each
 * page-sized slice is asked {@link MappedByteBuffer#isLoaded()}, which the JDK answers with {@code mincore}
 * over that slice. For a file the caller owns or may write, Linux reports the page cache's pages whether or
 * not this process touched them.
 */
public final class PageCache {

    private static final int PAGE = 4096;
    private static final long WINDOW = 1L << 30;

    private PageCache() {
    }

    /** Bytes of {@code file} in the page cache (whole pages; the last one counted up to the file's end). */
    public static long residentBytes(Path file) throws IOException {
        long resident = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            for (long at = 0; at < size; at += WINDOW) {
                int length = (int) Math.min(WINDOW, size - at);
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, at, length);
                for (int page = 0; page < length; page += PAGE) {
                    int bytes = Math.min(PAGE, length - page);
                    if (map.slice(page, bytes).isLoaded()) {
                        resident += bytes;
                    }
                }
            }
        }
        return resident;
    }
}
