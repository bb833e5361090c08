package io.proactor.iouring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.SharedFile;
import io.proactor.tests.SendFileSuite;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class IoUringSendFileTest extends SendFileSuite {
    static {
        // the engine's one-time availability probe makes a real ring; let it happen before any leak count
        Engines.require(IoUringEngine.NAME);
    }

    @Override
    protected Engine engine() {
        return Engines.require(IoUringEngine.NAME);
    }

    /**
     * A shared file is sent from its own descriptor (read with Netty's JNI function), not by opening its path
     * again: if this Netty version lost the function, every send would silently reopen the file.
     */
    @Test
    void aSharedFilesDescriptorIsReadFromItsChannel() throws Exception {
        Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(Path.of("target"), "fd-", ".bin");
        try {
            SharedFile shared = SharedFile.open(file);
            try {
                int fd = NettyRingInternals.descriptorOf(shared.channel());
                assertTrue(fd >= 0, "no descriptor: Native.getFd(DefaultFileRegion) is not reachable");
                assertEquals(file.toRealPath(), Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)));
            } finally {
                shared.release();
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
