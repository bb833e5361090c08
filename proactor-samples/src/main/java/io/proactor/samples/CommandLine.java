package io.proactor.samples;

import io.proactor.Engine;
import io.proactor.EngineUnavailableException;
import io.proactor.Engines;
import io.proactor.protocol.ThreadingModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Flags of the form {@code --name value} or {@code --name=value}; a bad flag or value throws
 * {@link UsageException} with a message saying what was wrong.
 */
public final class CommandLine {

    /** A usage error: printed with the command's usage text, exit status 2. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> switchesOn = new HashSet<>();
    private final List<String> positional = new ArrayList<>();
    private final boolean help;

    public CommandLine(String[] args, Set<String> known) throws UsageException {
        this(args, known, Set.of(), 0);
    }

    /**
     * @param switches       flags that take no value ({@code --access-log})
     * @param maxPositional  how many plain arguments (not flags) are allowed, e.g. a directory
     */
    public CommandLine(String[] args, Set<String> known, Set<String> switches, int maxPositional) throws UsageException {
        boolean helpSeen = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                helpSeen = true;
                continue;
            }
            if (!a.startsWith("--") || a.length() == 2) {
                if (a.startsWith("-") || positional.size() >= maxPositional) {
                    throw new UsageException("unexpected argument '" + a + "'");
                }
                positional.add(a);
                continue;
            }
            String name = a.substring(2);
            if (switches.contains(name)) {
                switchesOn.add(name);
                continue;
            }
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new UsageException("flag --" + name + " needs a value");
            }
            if (!known.contains(name)) {
                throw new UsageException("unknown flag --" + name);
            }
            values.put(name, value);
        }
        this.help = helpSeen;
    }

    public boolean help() {
        return help;
    }

    public boolean on(String switchName) {
        return switchesOn.contains(switchName);
    }

    /** The plain (non-flag) arguments, in order. */
    List<String> positional() {
        return positional;
    }

    /** A byte count: a whole number with an optional K, M or G suffix (powers of 1024). */
    public long bytes(String name, long fallback) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        String t = v.trim().toUpperCase(Locale.ROOT);
        int shift = t.endsWith("K") ? 10 : t.endsWith("M") ? 20 : t.endsWith("G") ? 30 : 0;
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
                throw new UsageException("--" + name + " must be a size >= 0, was '" + v + "'");
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a size in bytes with an optional K, M or G suffix"
                    + " (e.g. 4M), was '" + v + "'");
        }
    }

    /** A duration: a whole number with a unit, ms, s or m (e.g. 500ms, 10s, 2m). */
    Duration duration(String name, Duration fallback) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        String t = v.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(t);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new UsageException("--" + name + " must be a positive duration with a unit ms, s or m"
                    + " (e.g. 500ms, 10s), was '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }

    public String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public int integer(String name, int fallback, int min, int max) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw new UsageException("--" + name + " must be between " + min + " and " + max + ", was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, was '" + v + "'");
        }
    }

    /** The largest {@code --backlog} accepted; the kernel's {@code net.core.somaxconn} caps what it uses. */
    static final int MAX_BACKLOG = 1_000_000;

    /**
     * {@code --backlog N}, the listen backlog, 1 to {@value #MAX_BACKLOG}; 0 when the flag is not given, which
     * the server builder takes for its default (the kernel's {@code somaxconn}).
     */
    int backlog() throws UsageException {
        return integer("backlog", 0, 1, MAX_BACKLOG);
    }

    ThreadingModel model() throws UsageException {
        try {
            return ThreadingModel.parse(string("model", "single"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * The engine of {@code --engine} (fail fast if it cannot run here), or the best available one.
     */
    Engine engine() throws UsageException {
        String name = values.get("engine");
        try {
            return name == null ? Engines.best() : Engines.require(name);
        } catch (IllegalArgumentException | EngineUnavailableException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
