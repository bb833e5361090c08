package io.proactor.tests;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Programs on the {@code PATH}, and the condition behind {@link NeedsTools}: a test that needs programs runs in
 * the {@code system-tools} profile where they are installed, and everywhere else prints why it did not.
 */
public final class SystemTools implements ExecutionCondition {

    /** Set to {@code true} by the {@code system-tools} Maven profile. */
    public static final String PROFILE_PROPERTY = "proactor.systemTools";

    /** Where {@code program} is on the {@code PATH}, if it is there and executable. */
    public static Optional<Path> find(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Arrays.stream(path.split(File.pathSeparator)).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program)).filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
                .findFirst();
    }

    /**
     * Prints {@code [proactor] SKIPPED <what>: <why>} to the build output, so the skip is seen, and returns the
     * reason for JUnit to record.
     */
    public static String announceSkip(String what, String why) {
        String line = "[proactor] SKIPPED " + what + ": " + why;
        System.out.println(line);
        System.out.flush();
        return line;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<NeedsTools> needs = AnnotationSupport.findAnnotation(context.getElement(), NeedsTools.class);
        if (needs.isEmpty()) {
            return ConditionEvaluationResult.enabled("needs no program");
        }
        // Once per test class when the class carries the annotation; once per method otherwise.
        if (context.getTestMethod().isPresent() && context.getTestClass()
                .flatMap(c -> AnnotationSupport.findAnnotation(c, NeedsTools.class)).isPresent()) {
            return ConditionEvaluationResult.enabled("decided for the class");
        }
        String what = context.getTestClass().map(Class::getSimpleName).orElse("?")
                + context.getTestMethod().map(m -> "." + m.getName()).orElse("");
        List<String> programs = List.of(needs.get().value());
        if (!Boolean.getBoolean(PROFILE_PROPERTY)) {
            return skip(context, what, "needs " + String.join(", ", programs) + "; runs in the system-tools profile "
                    + "(mvn -B verify -Psystem-tools, which .ci/run enables after installing them)");
        }
        List<String> missing = programs.stream().filter(p -> find(p).isEmpty()).toList();
        if (!missing.isEmpty()) {
            return skip(context, what, String.join(", ", missing) + " not found on the PATH (" + needs.get().install()
                    + ")");
        }
        return ConditionEvaluationResult.enabled("found " + String.join(", ", programs));
    }

    private static ConditionEvaluationResult skip(ExtensionContext context, String what, String why) {
        // JUnit may ask again (class, then each method): announce once per element.
        ExtensionContext.Store store = context.getRoot().getStore(Namespace.create(SystemTools.class));
        String line = store.getOrComputeIfAbsent(what, k -> announceSkip(what, why), String.class);
        return ConditionEvaluationResult.disabled(line);
    }
}
