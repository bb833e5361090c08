/**
 * The portable {@code nio2} engine: the JDK's asynchronous channels. Exports nothing: applications reach it
 * through {@code io.proactor.Engines} (by the name {@code nio2}), which finds it by its {@code provides}.
 */
@SuppressWarnings("module") // the name ends in a digit, as the package it holds does
module io.proactor.nio2 {
    requires io.proactor.core;
    requires org.jctools.core;
    requires jdk.unsupported; // com.sun.nio.file.ExtendedOpenOption.DIRECT for ProactorOpenOption.DIRECT

    provides io.proactor.spi.EngineProvider with io.proactor.nio2.Nio2Engine;
}
