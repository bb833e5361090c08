package io.proactor.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.tests.Launcher;
import io.proactor.tests.Launcher.Run;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./proactor demo}, the launcher at the repository's root, with {@code PROACTOR_CLASSPATH} set to this
 * module's class path (so it builds nothing): the launcher starts the demo of this module, and the samples'
 * commands from the same class path.
 */
@Timeout(120)
class DemoLauncherTest {

    @Test
    void demoHelpPrintsTheDemosFlags() throws Exception {
        Run r = Launcher.run(Map.of(), "demo", "--help");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(DemoCommand.USAGE.strip(), r.out().strip(), r.toString());
    }

    @Test
    void aBadDemoFlagIsTheDemosUsageError() throws Exception {
        Run r = Launcher.run(Map.of(), "demo", "--no-such-flag");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("usage: proactor demo"), r.toString());
    }

    @Test
    void theSamplesRunFromTheSameClassPath() throws Exception {
        Run r = Launcher.run(Map.of(), "help");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("usage: proactor COMMAND"), r.toString());
    }
}
