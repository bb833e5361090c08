package io.proactor.demo;

/**
 * When two measured figures differ by less than the noise, neither wins. The noise is the larger of the two
 * figures' spreads over rounds (max / min − 1); with a single round there is no spread to go by, and
 * {@value #SINGLE_ROUND_NOISE} (10 %) stands in for it, about what repeated runs on a quiet 2-core machine
 * vary by.
 */
final class Ties {

    static final double SINGLE_ROUND_NOISE = 0.10;

    private Ties() {
    }

    /** The relative difference under which {@code a} and {@code b} tie, from their spreads (NaN: unknown). */
    static double noise(double spreadA, double spreadB) {
        double known = Math.max(Double.isNaN(spreadA) ? 0 : spreadA, Double.isNaN(spreadB) ? 0 : spreadB);
        return Double.isNaN(spreadA) && Double.isNaN(spreadB) ? SINGLE_ROUND_NOISE : Math.max(known, 0.01);
    }

    /** Whether {@code a} and {@code b} are within {@code noise} of each other (relative to the smaller). */
    static boolean tie(double a, double b, double noise) {
        double low = Math.min(a, b);
        double high = Math.max(a, b);
        return low > 0 ? high / low - 1 <= noise : high == low;
    }
}
