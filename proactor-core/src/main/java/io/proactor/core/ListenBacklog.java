package io.proactor.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listen backlog of every engine's listeners: how many connections the kernel completes and queues for a
 * listening socket before the server accepts them. A SYN that arrives while that queue is full is dropped, and
 * its client tries again only after a second (then 3 s, 7 s, ...), so a burst of connects to a server that is
 * busy for a moment needs a queue as long as the burst.
 *
 * <p>The default is the kernel's own limit, {@code net.core.somaxconn}, read once from
 * {@code /proc/sys/net/core/somaxconn} (4096 on Linux since 5.4), as Netty does; where that file cannot be read
 * (not Linux), {@link #FALLBACK}, which the kernel there reduces to its own limit. The JDK's default,
 * {@code bind(address, 0)}, is 50. A backlog asked for explicitly is used as it is; the kernel clamps one above
 * its limit, which is logged once per value at debug level.
 *
 * <p><b>Threading.</b> Any thread may call any method; the kernel's limit is read once, on first use.
 */
public final class ListenBacklog {

    /** The default where the kernel's limit cannot be read: Linux's default {@code somaxconn} since 5.4. */
    public static final int FALLBACK = 4096;

    static final Path SOMAXCONN = Path.of("/proc/sys/net/core/somaxconn");

    private static final Logger LOG = LoggerFactory.getLogger(ListenBacklog.class);
    /** Requested backlogs already reported as clamped, so each is logged once. */
    private static final Set<Integer> REPORTED = ConcurrentHashMap.newKeySet();

    private ListenBacklog() {
    }

    /** Read on first use. */
    private static final class Kernel {
        static final OptionalInt LIMIT = read(SOMAXCONN);
    }

    /** The kernel's limit on a listen backlog ({@code net.core.somaxconn}), or empty where it cannot be read. */
    public static OptionalInt kernelLimit() {
        return Kernel.LIMIT;
    }

    /** The backlog a listener gets when none is asked for: {@link #kernelLimit()}, or {@link #FALLBACK}. */
    public static int defaultBacklog() {
        return Kernel.LIMIT.orElse(FALLBACK);
    }

    /**
     * The backlog to listen with when {@code requested} was asked for: {@link #defaultBacklog()} for 0, otherwise
     * {@code requested} itself; when it is above the kernel's limit (which the kernel then uses instead), that is
     * logged once at debug level.
     *
     * @throws IllegalArgumentException if {@code requested} is negative
     */
    public static int forListen(int requested) {
        if (requested < 0) {
            throw new IllegalArgumentException("'backlog' must be >= 0 (0: the default), was " + requested);
        }
        if (requested == 0) {
            return defaultBacklog();
        }
        Kernel.LIMIT.ifPresent(limit -> reportIfClamped(requested, limit));
        return requested;
    }

    /** Logs at debug level, the first time for each {@code requested}, that the kernel clamps it; true if it did. */
    static boolean reportIfClamped(int requested, int limit) {
        if (requested <= limit || !REPORTED.add(requested)) {
            return false;
        }
        LOG.debug("listen backlog {} is above the kernel's limit net.core.somaxconn = {}: the kernel uses {}"
                + " (raise it with sysctl -w net.core.somaxconn={} for a longer queue)", requested, limit, limit,
                requested);
        return true;
    }

    /** The positive whole number in {@code file}, or empty when it is missing, unreadable or holds anything else. */
    static OptionalInt read(Path file) {
        // One large read: a sysctl file reports size 0 and answers only a read at offset 0, so Files.readAllBytes
        // (which reads one byte when the size is 0, then reads on) gets "4" of "4096"
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String line = in.readLine();
            int value = line == null ? 0 : Integer.parseInt(line.trim());
            return value > 0 ? OptionalInt.of(value) : OptionalInt.empty();
        } catch (IOException | NumberFormatException | SecurityException e) {
            return OptionalInt.empty();
        }
    }
}
