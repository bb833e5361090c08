package io.proactor;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds engines on the class path and chooses one.
 *
 * <ul>
 *   <li>{@link #require(String)}: that engine or an {@link EngineUnavailableException} saying why not
 *       (fail fast);</li>
 *   <li>{@link #prefer(String)}: that engine if it works, otherwise the best available one, with one log line
 *       saying why (fallback);</li>
 *   <li>{@link #best()}: the available engine of highest priority; the system property
 *       {@value #ENGINE_PROPERTY} names a preferred engine.</li>
 * </ul>
 *
 * <p>A fallback is logged once per engine and JVM, as one warning line with the unavailable engine's reason
 * (for io_uring, what to change): by {@link #prefer(String)} when the named engine cannot run, and by
 * {@link #best()} when an engine of higher priority than the one it returns is on the class path but cannot
 * run here (for example proactor-iouring on a machine without Netty's native library for its platform).
 *
 * <p>Why a class in an API of interfaces: it is the one entry point applications call to get an {@link Engine}
 * ({@code Engines.best()}), and the fallback policy above belongs to the API, not to any engine. It finds the
 * engines through {@link EngineLookup}, so it never names the provider types of {@code io.proactor.spi}.
 *
 * <p>Thread-safe; the engine list is loaded once.
 */
public final class Engines {

    /** System property naming the engine {@link #best()} prefers, e.g. {@code -Dproactor.engine=nio2}. */
    public static final String ENGINE_PROPERTY = "proactor.engine";

    private static final Logger LOG = LoggerFactory.getLogger(Engines.class);

    /** Engines whose fallback has been logged: one line per engine and JVM, however often it is chosen. */
    private static final Set<String> FALLBACK_LOGGED = ConcurrentHashMap.newKeySet();

    private Engines() {
    }

    private static final class Loaded {
        static final EngineLookup LOOKUP = ServiceLoader.load(EngineLookup.class, Engines.class.getClassLoader())
                .findFirst()
                .orElse(null);
        static final List<Engine> ALL = LOOKUP == null ? List.of() : LOOKUP.engines().stream()
                .sorted(Comparator.comparingInt(Engine::priority).reversed())
                .toList();
    }

    /** The engines' lookup; for {@link ProactorGroup#open}. */
    static EngineLookup lookup() {
        if (Loaded.LOOKUP == null) {
            throw new EngineUnavailableException("no engine is on the class path (nor the module path): put "
                    + "proactor-nio2 (works everywhere) there", null);
        }
        return Loaded.LOOKUP;
    }

    /** Every engine on the class path, available or not, highest priority first. */
    public static List<Engine> all() {
        return Loaded.ALL;
    }

    /** Every engine that works here, highest priority first. */
    public static List<Engine> available() {
        return all().stream().filter(Engine::isAvailable).toList();
    }

    /**
     * The engine named {@code name} (case-insensitive), available or not.
     *
     * @throws IllegalArgumentException if no engine has that name; the message lists the known names
     */
    public static Engine byName(String name) {
        Objects.requireNonNull(name, "'name' is null");
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (Engine e : all()) {
            if (e.name().equals(wanted)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + name + "'; known engines: " + names()
                + " (an engine is found when its module is on the class path)");
    }

    /** The engine named {@code name}, which must be available (fail fast). */
    public static Engine require(String name) {
        Engine e = byName(name);
        if (!e.isAvailable()) {
            Throwable cause = e.unavailabilityCause();
            throw new EngineUnavailableException("engine '" + e.name() + "' is not available: "
                    + (cause == null ? "no reason given" : cause.getMessage()), cause);
        }
        return e;
    }

    /** The engine named {@code name} if available, otherwise {@link #best()} with one log line saying why. */
    public static Engine prefer(String name) {
        Engine e = byName(name);
        if (e.isAvailable()) {
            return e;
        }
        Engine fallback = firstAvailable();
        logFallback(e, fallback);
        return fallback;
    }

    /**
     * The engine named by {@value #ENGINE_PROPERTY} if set (with fallback as in {@link #prefer}), otherwise
     * the available engine of highest priority.
     */
    public static Engine best() {
        String configured = System.getProperty(ENGINE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return prefer(configured);
        }
        Engine chosen = firstAvailable();
        for (Engine e : all()) {
            if (e.priority() <= chosen.priority()) {
                break;
            }
            if (!e.isAvailable()) {
                logFallback(e, chosen);
                break;
            }
        }
        return chosen;
    }

    private static void logFallback(Engine unavailable, Engine fallback) {
        if (FALLBACK_LOGGED.add(unavailable.name())) {
            Throwable cause = unavailable.unavailabilityCause();
            LOG.warn("engine '{}' is not available ({}); falling back to '{}'", unavailable.name(),
                    cause == null ? "no reason given" : cause.getMessage(), fallback.name());
        }
    }

    private static Engine firstAvailable() {
        List<Engine> available = available();
        if (available.isEmpty()) {
            throw new EngineUnavailableException("no engine is available; found: " + names()
                    + "; put proactor-nio2 (works everywhere) on the class path", null);
        }
        return available.get(0);
    }

    private static String names() {
        return all().isEmpty() ? "none" : all().stream().map(Engine::name).collect(Collectors.joining(", "));
    }
}
