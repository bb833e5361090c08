package io.proactor.demo;

import io.proactor.load.EchoServerMain;
import io.proactor.protocol.ThreadingModel;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One server the demo measures: an engine and a threading model, named as the user types it
 * ({@code --variants io_uring,reactor-single}).
 *
 * @param engine          the engine name, or for a server outside the library its {@link EchoServerMain} kind
 * @param model           how the server spreads work; {@code threads} applies to every model but single
 * @param scenarios       the scenarios it takes part in (a variant that only differs in how it reads files is
 *                        not run again for echo)
 * @param bufferedFiles   large files read through the page cache instead of with {@code O_DIRECT}
 * @param loopThreads     the names ({@code comm}, cut to 15 bytes) of the threads that serve the connections:
 *                        the ones whose blocking on the disk the cold-storage scenario measures
 */
record Variant(String name, String engine, ThreadingModel model, String description, Set<String> scenarios,
               boolean bufferedFiles, Pattern loopThreads) {

    private static final Set<String> ALL_SCENARIOS = Set.of(DemoSettings.ECHO, DemoSettings.HTTP, DemoSettings.COLD);
    private static final Set<String> NO_COLD = Set.of(DemoSettings.ECHO, DemoSettings.HTTP);
    private static final Set<String> NO_ECHO = Set.of(DemoSettings.HTTP, DemoSettings.COLD);

    /** Every variant, in the order the demo runs and prints them. */
    static final List<Variant> ALL = List.of(
            new Variant("io_uring", "io_uring", ThreadingModel.SINGLE,
                    "Proactor on io_uring: the kernel performs recv/send, one loop thread; large files with "
                            + "O_DIRECT reads", ALL_SCENARIOS, false, Pattern.compile("server-io_uring.*")),
            new Variant("io_uring-buffered", "io_uring", ThreadingModel.SINGLE,
                    "io_uring with large files read through the page cache (splice, run by the kernel's io-wq "
                            + "workers): cold-storage scenario only", Set.of(DemoSettings.COLD), true,
                    Pattern.compile("server-io_uring.*")),
            new Variant("nio2", "nio2", ThreadingModel.SINGLE,
                    "Proactor on NIO.2 AsynchronousChannel: the JDK channel group's one thread is the proactor's (epoll)",
                    ALL_SCENARIOS, false, Pattern.compile("server-nio2-\\d+")),
            new Variant("reactor-single", "reactor", ThreadingModel.SINGLE,
                    "Selector reactor, one loop: epoll_wait, read, handler, write; files with sendfile from the loop",
                    ALL_SCENARIOS, false, Pattern.compile("server-reactor.*")),
            new Variant("reactor-worker-pool", "reactor", ThreadingModel.WORKER_POOL,
                    "Selector reactor, handlers on a worker pool, writes posted back to the loop",
                    ALL_SCENARIOS, false, Pattern.compile("server-reactor.*")),
            new Variant("reactor-main-sub", "reactor", ThreadingModel.MAIN_SUB,
                    "Selector reactor, one acceptor loop handing connections to N I/O loops",
                    NO_COLD, false, Pattern.compile("server-reactor.*")),
            new Variant("reactor-reuseport", "reactor", ThreadingModel.REUSEPORT,
                    "Selector reactor, N loops each with its own SO_REUSEPORT listener",
                    NO_COLD, false, Pattern.compile("server-reactor.*")),
            new Variant("virtual-threads", "virtual-threads", ThreadingModel.SINGLE,
                    "thread per connection on virtual threads: blocking read, writer thread per connection",
                    ALL_SCENARIOS, false, Pattern.compile("ForkJoinPool-\\d.*")),
            new Variant("platform-threads", "platform-threads", ThreadingModel.SINGLE,
                    "the classic model: thread per connection on platform (kernel) threads, blocking read, "
                            + "writer thread per connection", ALL_SCENARIOS, false,
                    Pattern.compile("server-platform.*")),
            new Variant("netty-epoll", "netty-epoll", ThreadingModel.SINGLE,
                    "what users would pick instead: a Netty 4.2 echo server on its epoll transport, one I/O thread, "
                            + "written the usual Netty way (echo only)", Set.of(DemoSettings.ECHO), false,
                    Pattern.compile("multiThreadIoE.*")),
            new Variant("netty-io_uring", "netty-io_uring", ThreadingModel.SINGLE,
                    "the same Netty 4.2 echo server on Netty's own io_uring transport (echo only)",
                    Set.of(DemoSettings.ECHO), false, Pattern.compile("multiThreadIoE.*")),
            new Variant("nginx", "nginx", ThreadingModel.SINGLE,
                    "what users would pick instead for files: nginx, one process (master_process off), its "
                            + "defaults: sendfile from its event loop (file scenarios only, when installed)",
                    NO_ECHO, false, Pattern.compile("nginx.*")));

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

    boolean runsIn(String scenario) {
        return scenarios.contains(scenario);
    }

    /** Kernel threads the server starts per connection: a reader and a writer for platform threads, else none. */
    int kernelThreadsPerConnection() {
        return engine.equals("platform-threads") ? 2 : 0;
    }

    /** What {@link EchoServerMain} calls this server. */
    String echoKind() {
        return engine.startsWith("netty-") ? engine : "proactor-" + engine;
    }

    /** Whether this is a server from outside the Java world, measured when it is installed and skipped if not. */
    boolean external() {
        return engine.equals("nginx");
    }

    /** {@code null} when this variant's server can run here, else why not. */
    String unavailableReason() {
        if (engine.equals("nginx")) {
            return NginxServer.unavailableReason();
        }
        return EchoServerMain.unavailableReason(echoKind());
    }
}
