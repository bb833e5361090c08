package io.proactor.load;

import java.io.Console;
import java.io.PrintStream;

/**
 * One status line rewritten in place ({@code \r}) while a load runs, for a person watching a terminal; silent
 * when the output is not a terminal, so logs and pipes get no control characters. Used by one thread at a time.
 */
public final class ProgressLine {

    private final PrintStream out;
    private final boolean live;
    private String prefix = "";
    private int shown;

    /**
     * @param live {@code false}: every call does nothing
     */
    public ProgressLine(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    /**
     * A line on {@code out} that is live when the session is interactive: {@code -Dproactor.progress=live|off}
     * decides when given (the {@code ./proactor} script sets it from {@code test -t 2}); otherwise the JDK's
     * console says whether the terminal is attached.
     */
    public static ProgressLine forTerminal(PrintStream out) {
        String forced = System.getProperty("proactor.progress");
        if (forced != null) {
            return new ProgressLine(out, forced.equals("live"));
        }
        Console console = System.console();
        boolean terminal = false;
        if (console != null) {
            try {
                // JDK 22+ returns a console even when redirected; isTerminal() (22+) tells the truth there.
                terminal = (Boolean) Console.class.getMethod("isTerminal").invoke(console);
            } catch (ReflectiveOperationException e) {
                terminal = true; // JDK 21: console() is non-null only when attached to a terminal
            }
        }
        return new ProgressLine(out, terminal);
    }

    /** Text shown before every update, e.g. the name of what is being measured. */
    public ProgressLine prefix(String text) {
        this.prefix = text;
        return this;
    }

    public boolean isLive() {
        return live;
    }

    public void update(String text) {
        if (!live) {
            return;
        }
        String line = prefix + text;
        out.print('\r' + line + " ".repeat(Math.max(0, shown - line.length())));
        out.flush();
        shown = line.length();
    }

    /** Erases the line, so that what is printed next starts on a clean line. */
    public void finish() {
        if (live && shown > 0) {
            out.print('\r' + " ".repeat(shown) + '\r');
            out.flush();
            shown = 0;
        }
    }
}
