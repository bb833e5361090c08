package io.proactor.load;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * How one load run is shaped, whatever its {@link Workload}.
 *
 * @param server      where to connect
 * @param connections concurrent connections, each its own stream of requests
 * @param depth       requests in flight per connection (1: ping-pong; above 1, pipelining)
 * @param warmup      load before the measurement window (nothing recorded)
 * @param measure     the measurement window
 */
public record LoadSettings(InetSocketAddress server, int connections, int depth, Duration warmup,
                           Duration measure) {
    public LoadSettings {
        if (server == null || server.isUnresolved()) {
            throw new IllegalArgumentException("server address is missing or unresolved: " + server);
        }
        check("connections", connections, 1, 100_000);
        check("depth", depth, 1, 4096);
        if (warmup == null || warmup.isNegative()) {
            throw new IllegalArgumentException("warm-up must be zero or more, was " + warmup);
        }
        if (measure == null || measure.toMillis() < 1) {
            throw new IllegalArgumentException("measurement must last at least 1 ms, was " + measure);
        }
    }

    static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was "
                    + value);
        }
    }
}
