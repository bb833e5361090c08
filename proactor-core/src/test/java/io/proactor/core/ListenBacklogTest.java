package io.proactor.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenBacklogTest {

    @TempDir
    Path dir;

    @Test
    void theDefaultIsTheKernelsSomaxconnWhereItCanBeRead() throws IOException {
        if (Files.isReadable(ListenBacklog.SOMAXCONN)) {
            int somaxconn = Integer.parseInt(Files.readAllLines(ListenBacklog.SOMAXCONN).get(0).trim());
            assertEquals(OptionalInt.of(somaxconn), ListenBacklog.kernelLimit());
            assertEquals(somaxconn, ListenBacklog.defaultBacklog());
        } else {
            assertEquals(OptionalInt.empty(), ListenBacklog.kernelLimit());
            assertEquals(ListenBacklog.FALLBACK, ListenBacklog.defaultBacklog());
        }
    }

    @Test
    void zeroMeansTheDefaultAndAnythingElseIsKeptAsAskedFor() {
        assertEquals(ListenBacklog.defaultBacklog(), ListenBacklog.forListen(0));
        assertEquals(1, ListenBacklog.forListen(1));
        assertEquals(100, ListenBacklog.forListen(100));
        // above the kernel's limit: still passed on (the kernel clamps it), not silently changed here
        assertEquals(Integer.MAX_VALUE, ListenBacklog.forListen(Integer.MAX_VALUE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ListenBacklog.forListen(-1));
        assertTrue(e.getMessage().contains("'backlog' must be >= 0"), e.getMessage());
    }

    @Test
    void aClampedBacklogIsReportedOncePerValue() {
        assertFalse(ListenBacklog.reportIfClamped(4096, 4096), "at the limit: not clamped");
        assertFalse(ListenBacklog.reportIfClamped(10, 4096));
        assertTrue(ListenBacklog.reportIfClamped(123_457, 4096), "first time");
        assertFalse(ListenBacklog.reportIfClamped(123_457, 4096), "reported already");
        assertTrue(ListenBacklog.reportIfClamped(123_458, 4096), "another value");
    }

    @Test
    void theLimitFileIsReadWhenItHoldsAPositiveNumberOnly() throws IOException {
        Path f = dir.resolve("somaxconn");
        assertEquals(OptionalInt.empty(), ListenBacklog.read(f), "missing");
        Files.writeString(f, "4096\n");
        assertEquals(OptionalInt.of(4096), ListenBacklog.read(f));
        Files.writeString(f, "65535");
        assertEquals(OptionalInt.of(65535), ListenBacklog.read(f));
        for (String bad : new String[] {"", "0", "-5", "lots", "99999999999"}) {
            Files.writeString(f, bad);
            assertEquals(OptionalInt.empty(), ListenBacklog.read(f), "'" + bad + "'");
        }
    }
}
