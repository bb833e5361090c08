package io.proactor;

/** A scheduled task that can still be called off. */
public interface Cancellable {

    /**
     * Calls the task off if it has not run yet; any thread.
     *
     * @return {@code true} if this call prevented the task from running
     */
    boolean cancel();
}
