package io.proactor.reactor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.protocol.Connection.FileSendMode;
import io.proactor.tests.SteadyFileResponses;
import io.proactor.tests.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reactor file server's steady state allocates nothing per request on its loop: the connection reuses the
 * file transfer that ended last, the chunks are pooled, and the selector dispatches without a selected-key set.
 */
class ReactorFileResponseAllocationTest {

    private final Engine engine = Engines.require(ReactorEngine.NAME);

    @ParameterizedTest
    @EnumSource(value = FileSendMode.class, names = {"COPY", "ZERO_COPY"})
    void sendingASharedFileAgainAllocatesNothingOnTheLoop(FileSendMode mode, @TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("1k.bin"), TestSupport.randomBytes(1024, 11));
        long perRequest = SteadyFileResponses.loopBytesPerRequest(engine, file, mode);
        assertTrue(perRequest < 8, perRequest + " B per request");
    }
}
