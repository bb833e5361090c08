/**
 * The {@code io_uring} engine, on Netty 4.2's io_uring transport classes. Exports nothing: applications reach it
 * through {@code io.proactor.Engines} (by the name {@code io_uring}), which finds it by its {@code provides}.
 * Netty's native library comes in the {@code io.netty.transport.io_uring.linux.*} modules, which nothing
 * requires: resolve them with {@code --add-modules} or {@code ALL-MODULE-PATH}.
 *
 * <p>On the module path Netty's packages are closed, so the ring-mapped buffer ring, which needs two of
 * Netty's internals ({@code NettyRingInternals}), is used only with
 * {@code --add-opens io.netty.transport.classes.io_uring/io.netty.channel.uring=io.proactor.iouring};
 * without it receives use {@code PROVIDE_BUFFERS}, and {@code ./proactor engines} says so.
 */
module io.proactor.iouring {
    requires io.proactor.core;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.transport.unix.common;
    requires io.netty.transport.classes.io_uring;
    requires org.slf4j;

    provides io.proactor.spi.EngineProvider with io.proactor.iouring.IoUringEngine;
}
