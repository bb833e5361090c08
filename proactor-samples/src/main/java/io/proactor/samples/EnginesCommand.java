package io.proactor.samples;

import io.proactor.Engine;
import io.proactor.Engines;

/** Lists the engines found on the class path, which one is chosen by default, and why others cannot run. */
final class EnginesCommand {

    private EnginesCommand() {
    }

    public static void main(String[] args) {
        Engine best = Engines.best();
        for (Engine e : Engines.all()) {
            String state = e.isAvailable() ? "available" : "unavailable: " + e.unavailabilityCause().getMessage();
            System.out.printf("%-16s priority %3d  %s%s%n", e.name(), e.priority(), state,
                    e == best ? "  (default)" : "");
            if (e.details() != null) {
                System.out.printf("%-16s               %s%n", "", e.details());
            }
        }
    }
}
