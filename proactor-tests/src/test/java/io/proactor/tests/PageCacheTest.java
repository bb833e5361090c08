package io.proactor.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.nio.file.ExtendedOpenOption;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;

/** The page-cache measurement the direct-I/O tests rely on: it sees a file leave and enter the cache. */
class PageCacheTest {

    @Test
    void seesAnUncachedFileBecomeCachedWhenRead() throws Exception {
        Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(Path.of("target"), "page-cache-", ".bin"); // O_DIRECT: not on tmpfs
        int size = 2 * 1024 * 1024;
        try {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
                ByteBuffer block = ByteBuffer.allocateDirect(size + 4096).alignedSlice(4096).limit(size);
                while (block.hasRemaining()) {
                    ch.write(block);
                }
            }
            long before = PageCache.residentBytes(file);
            assertTrue(before < size / 10, "written with O_DIRECT, " + before + " bytes cached");
            assertEquals(size, Files.readAllBytes(file).length);
            long after = PageCache.residentBytes(file);
            assertEquals(size, after, "read through the page cache, every page is there");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
