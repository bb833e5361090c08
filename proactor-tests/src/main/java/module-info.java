/**
 * The conformance kit: suites every engine subclasses in its tests. Reads the shared core for the constants
 * its checks compare against (the default listen backlog).
 */
module io.proactor.tests {
    requires transitive io.proactor;
    requires io.proactor.core;
    requires transitive org.junit.jupiter.api;
    requires transitive org.junit.jupiter.params;
    requires org.junit.platform.commons;
    requires java.management;
    requires jdk.management; // TestSupport.allocatedBytes
    requires jdk.jfr; // JfrEvents: the engines' flight-recorder events
    requires jdk.unsupported; // com.sun.nio.file.ExtendedOpenOption.DIRECT

    exports io.proactor.tests;
}
