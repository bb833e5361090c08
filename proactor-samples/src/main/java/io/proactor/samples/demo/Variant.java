package io.proactor.samples.demo;

import io.proactor.protocol.ThreadingModel;
import java.util.List;

/**
 * One server the demo measures: an engine and a threading model, named as the user types it
 * ({@code --variants io_uring,reactor-single}).
 *
 * @param model how the server spreads work; {@code threads} applies to every model but single
 */
record Variant(String name, String engine, ThreadingModel model, String description) {

    /** Every variant, in the order the demo runs and prints them. */
    static final List<Variant> ALL = List.of(
            new Variant("io_uring", "io_uring", ThreadingModel.SINGLE,
                    "Proactor on io_uring: the kernel performs recv/send, one loop thread"),
            new Variant("nio2", "nio2", ThreadingModel.SINGLE,
                    "Proactor on NIO.2 AsynchronousChannel: epoll + JDK thread pool, completions handed to the loop"),
            new Variant("reactor-single", "reactor", ThreadingModel.SINGLE,
                    "Selector reactor, one loop: epoll_wait, read, handler, write"),
            new Variant("reactor-worker-pool", "reactor", ThreadingModel.WORKER_POOL,
                    "Selector reactor, handlers on a worker pool, writes posted back to the loop"),
            new Variant("reactor-main-sub", "reactor", ThreadingModel.MAIN_SUB,
                    "Selector reactor, one acceptor loop handing connections to N I/O loops"),
            new Variant("reactor-reuseport", "reactor", ThreadingModel.REUSEPORT,
                    "Selector reactor, N loops each with its own SO_REUSEPORT listener"),
            new Variant("virtual-threads", "virtual-threads", ThreadingModel.SINGLE,
                    "thread per connection on virtual threads: blocking read, writer thread per connection"));

    static final String NAMES = String.join(", ", ALL.stream().map(Variant::name).toList());

    /** The variant called {@code name}. */
    static Variant named(String name) {
        for (Variant v : ALL) {
            if (v.name.equals(name.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown variant '" + name + "'; expected one of: " + NAMES);
    }

    /** The server's thread count for this variant: one for single, else {@code threads}. */
    int threadsFor(int threads) {
        return model == ThreadingModel.SINGLE ? 1 : threads;
    }
}
