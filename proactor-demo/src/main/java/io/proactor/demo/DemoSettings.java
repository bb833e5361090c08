package io.proactor.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one demo run measures; every value is checked by {@link DemoCommand} before it gets here.
 *
 * @param connectionCounts the echo load's connection counts (the sweep), each run against every variant
 * @param httpConnectionCounts the HTTP load's connection counts
 * @param size             bytes per echo message
 * @param depth            messages (HTTP requests) in flight per connection (1: ping-pong)
 * @param scenarios        what is measured, in order: {@link #ECHO}, {@link #HTTP}, {@link #COLD}
 * @param fileSize         bytes of the file the HTTP load asks for
 * @param rounds           times every variant × connection count is measured, interleaved
 * @param idleConnections  idle connections held open for the memory figure (0: skip it)
 * @param serverThreads    threads of the multi-threaded models (worker-pool, main-sub, reuseport)
 * @param baseline         the variant every ratio is relative to
 * @param serverCpus       CPU list for {@code taskset} of the servers, {@code null}: no pinning
 * @param loadCpus         CPU list for the demo process (the load), {@code null}: no pinning
 * @param cold             the cold-storage scenario's files and clients
 * @param commandLine      the command as typed, for the report
 */
record DemoSettings(List<Variant> variants, List<Integer> connectionCounts, List<Integer> httpConnectionCounts,
                    int size, int depth,
                    List<String> scenarios, int fileSize, Duration warmup, Duration measure, int rounds,
                    int idleConnections, int serverThreads, Variant baseline, Path out,
                    String serverCpus, String loadCpus, Cold cold, String commandLine) {

    /**
     * The cold-storage scenario: {@code downloads} clients each download one of {@code files} files of
     * {@code fileSize} bytes, evicted from the page cache, over and over, while {@code smallClients} clients
     * request the small cached file ({@link #fileSize} bytes) in a loop.
     */
    record Cold(int files, long fileSize, int downloads, int smallClients) {
        long totalBytes() {
            return files * fileSize;
        }
    }

    /** The echo protocol handler, loaded with messages. */
    static final String ECHO = "echo";
    /** The HTTP file server, loaded with keep-alive GETs of one file. */
    static final String HTTP = "http";
    /** The HTTP file server: small cached requests while large files are downloaded from cold storage. */
    static final String COLD = "cold-storage";
    /** Every scenario, in the order the demo runs them. */
    static final List<String> SCENARIOS = List.of(ECHO, HTTP, COLD);

    /** The connection counts of {@code scenario}: the echo sweep's, or the HTTP load's. */
    List<Integer> countsFor(String scenario) {
        return scenario.equals(ECHO) ? connectionCounts : httpConnectionCounts;
    }

    boolean pinned() {
        return serverCpus != null;
    }

    /** CPUs the load (this process) runs on: those of {@link #loadCpus}, or all when not pinned. */
    int loadCpuCount() {
        return loadCpus == null ? Runtime.getRuntime().availableProcessors() : cpuCount(loadCpus);
    }

    /** The CPUs in a list such as {@code 0-2,5}. */
    static int cpuCount(String list) {
        int n = 0;
        for (String part : list.split(",")) {
            String[] range = part.split("-");
            n += range.length == 1 ? 1 : Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1;
        }
        return n;
    }
}
