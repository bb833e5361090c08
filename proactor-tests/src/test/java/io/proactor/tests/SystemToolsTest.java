package io.proactor.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * {@link NeedsTools}: outside the system-tools profile the test is skipped with a printed line saying what it
 * needs and where it runs; in the profile a missing program is named, and with every program there it runs.
 */
class SystemToolsTest {

    static final AtomicBoolean RAN = new AtomicBoolean();

    /** Not picked up by Surefire (a nested class); run by the tests below. */
    static class NeedsAMissingProgram {
        @Test
        @NeedsTools(value = {"sh", "proactor-no-such-program"}, install = "apt-get install nothing")
        void run() {
            RAN.set(true);
        }
    }

    /** Not picked up by Surefire (a nested class); run by the tests below. */
    @NeedsTools(value = "sh", install = "it is everywhere")
    static class NeedsAShell {
        @Test
        void run() {
            RAN.set(true);
        }
    }

    record Outcome(List<String> skipped, List<TestExecutionResult> finished, String printed) {
    }

    private static Outcome launch(Class<?> tests, boolean profile) {
        RAN.set(false);
        String before = System.getProperty(SystemTools.PROFILE_PROPERTY);
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<String> skipped = new ArrayList<>();
        List<TestExecutionResult> finished = new ArrayList<>();
        System.setProperty(SystemTools.PROFILE_PROPERTY, Boolean.toString(profile));
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(tests))
                    .build(), new TestExecutionListener() {
                        @Override
                        public void executionSkipped(TestIdentifier id, String reason) {
                            skipped.add(reason);
                        }

                        @Override
                        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                            if (id.isTest()) {
                                finished.add(result);
                            }
                        }
                    });
        } finally {
            System.setOut(out);
            if (before == null) {
                System.clearProperty(SystemTools.PROFILE_PROPERTY);
            } else {
                System.setProperty(SystemTools.PROFILE_PROPERTY, before);
            }
        }
        return new Outcome(skipped, finished, printed.toString(StandardCharsets.UTF_8));
    }

    @Test
    void outsideTheProfileItIsSkippedWithALineSayingWhereItRuns() {
        Outcome o = launch(NeedsAShell.class, false);
        assertFalse(RAN.get(), "did not run");
        assertEquals(1, o.skipped().size(), o.toString());
        assertTrue(o.printed().contains("[proactor] SKIPPED NeedsAShell: needs sh; runs in the system-tools profile"),
                o.printed());
        assertEquals(1, o.printed().lines().filter(l -> l.contains("SKIPPED")).count(), "said once: " + o.printed());
    }

    @Test
    void inTheProfileAMissingProgramIsNamedWithHowToInstallIt() {
        Outcome o = launch(NeedsAMissingProgram.class, true);
        assertFalse(RAN.get(), "did not run");
        assertEquals(1, o.skipped().size(), o.toString());
        assertTrue(o.printed().contains("[proactor] SKIPPED NeedsAMissingProgram.run: proactor-no-such-program not "
                + "found on the PATH (apt-get install nothing)"), o.printed());
    }

    @Test
    void inTheProfileWithEveryProgramThereItRuns() {
        Outcome o = launch(NeedsAShell.class, true);
        assertTrue(RAN.get(), "ran");
        assertEquals(List.of(), o.skipped());
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, o.finished().get(0).getStatus());
        assertFalse(o.printed().contains("SKIPPED"), o.printed());
    }
}
