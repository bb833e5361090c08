package io.proactor.samples.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one demo run measures; every value is checked by {@link DemoCommand} before it gets here.
 *
 * @param connectionCounts the load's connection counts, each run against every variant
 * @param size             bytes per echo message
 * @param depth            messages (HTTP requests) in flight per connection (1: ping-pong)
 * @param protocols        what the servers run, in order: {@link #ECHO} and/or {@link #HTTP}
 * @param fileSize         bytes of the file the HTTP load asks for
 * @param rounds           times every variant × connection count is measured, interleaved
 * @param idleConnections  idle connections held open for the memory figure (0: skip it)
 * @param serverThreads    threads of the multi-threaded models (worker-pool, main-sub, reuseport)
 * @param baseline         the variant every ratio is relative to
 * @param serverCpus       CPU list for {@code taskset} of the servers, {@code null}: no pinning
 * @param loadCpus         CPU list for the demo process (the load), {@code null}: no pinning
 * @param commandLine      the command as typed, for the report
 */
record DemoSettings(List<Variant> variants, List<Integer> connectionCounts, int size, int depth,
                    List<String> protocols, int fileSize, Duration warmup, Duration measure, int rounds,
                    int idleConnections, int serverThreads, Variant baseline, Path out,
                    String serverCpus, String loadCpus, String commandLine) {

    /** The echo protocol handler, loaded with messages. */
    static final String ECHO = "echo";
    /** The HTTP file server, loaded with keep-alive GETs of one file. */
    static final String HTTP = "http";

    boolean pinned() {
        return serverCpus != null;
    }
}
