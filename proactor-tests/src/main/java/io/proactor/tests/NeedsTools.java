package io.proactor.tests;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that runs programs a fresh machine may not have (e.g. {@code curl}). Such a test runs only in
 * the {@code system-tools} Maven profile ({@code mvn -B verify -Psystem-tools}, which {@code .ci/run} enables
 * after installing the tools), and there only where every program named is on the {@code PATH}. Wherever it
 * does not run, a line {@code [proactor] SKIPPED <test>: <why>} in the build output says so: a skipped test is
 * never a silent pass.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(SystemTools.class)
public @interface NeedsTools {

    /** The programs the test runs, looked up on the {@code PATH}. */
    String[] value();

    /** How to install them, for the skip line (e.g. {@code apt-get install curl}). */
    String install();
}
