/**
 * The readiness engines, {@code reactor} ({@code Selector} loops) and {@code virtual-threads}, found by
 * {@code io.proactor.Engines} through {@code provides}. Exports its package for
 * {@link io.proactor.reactor.PlatformThreadEngine}, the thread-per-connection baseline that is not registered
 * and is made with {@code new}.
 */
module io.proactor.reactor {
    requires transitive io.proactor;
    requires io.proactor.core;
    requires org.jctools.core;
    requires org.slf4j;

    exports io.proactor.reactor;

    provides io.proactor.spi.EngineProvider with io.proactor.reactor.ReactorEngine,
            io.proactor.reactor.VirtualThreadEngine;
}
