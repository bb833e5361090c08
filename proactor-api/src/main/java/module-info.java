/**
 * What applications write against: the Proactor pattern's parts ({@code io.proactor}), the engine-neutral
 * protocol handlers ({@code io.proactor.protocol}), and the provider interfaces engines implement
 * ({@code io.proactor.spi}). No implementation: engines and their shared core ({@code io.proactor.core}) are
 * modules of their own.
 *
 * <p>Package dependencies point one way: {@code spi} uses {@code protocol} and {@code io.proactor};
 * {@code protocol} uses {@code io.proactor}; never back. The API reaches engines through
 * {@link io.proactor.EngineLookup} and {@link io.proactor.protocol.ProtocolLookup}, which
 * {@code io.proactor.core} provides.
 */
module io.proactor {
    requires org.slf4j;

    exports io.proactor;
    exports io.proactor.protocol;
    exports io.proactor.spi;

    uses io.proactor.EngineLookup;
    uses io.proactor.protocol.ProtocolLookup;
}
