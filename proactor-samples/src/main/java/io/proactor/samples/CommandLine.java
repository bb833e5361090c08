package io.proactor.samples;

import io.proactor.EngineUnavailableException;
import io.proactor.Engines;
import io.proactor.protocol.ThreadingModel;
import io.proactor.spi.Engine;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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

    private final Map<String, String> values = new LinkedHashMap<>();
    private final boolean help;

    public CommandLine(String[] args, Set<String> known) throws UsageException {
        boolean helpSeen = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                helpSeen = true;
                continue;
            }
            if (!a.startsWith("--") || a.length() == 2) {
                throw new UsageException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
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
