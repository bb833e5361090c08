/**
 * The implementation every engine shares: the event loop, the protocol runtime and its connection state
 * machine, buffer pools, the stall watchdog, and the lookup through which the API finds the engines. Its one
 * package is exported to the engine modules (and the conformance kit) only: applications see
 * {@code io.proactor}.
 */
@SuppressWarnings("module") // the qualified exports name modules built after this one
module io.proactor.core {
    requires transitive io.proactor;
    requires org.jctools.core;
    requires org.slf4j;
    requires jdk.jfr;

    exports io.proactor.core to io.proactor.nio2, io.proactor.iouring, io.proactor.reactor, io.proactor.tests;
    // JFR reads the events reflectively; the engines emit them
    exports io.proactor.core.events to io.proactor.iouring, io.proactor.tests, jdk.jfr;

    uses io.proactor.spi.EngineProvider;
    provides io.proactor.EngineLookup with io.proactor.core.EngineDispatch;
    provides io.proactor.protocol.ProtocolLookup with io.proactor.core.EngineDispatch;
}
