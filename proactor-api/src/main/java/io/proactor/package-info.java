/**
 * The Proactor pattern as types: {@link io.proactor.Initiator}s ({@link io.proactor.AsyncSocket},
 * {@link io.proactor.AsyncServerSocket}, {@link io.proactor.AsyncFile}) start operations, the engine executes
 * them, and a {@link io.proactor.Proactor} calls each operation's {@link io.proactor.CompletionHandler}.
 * Proactors come in {@link io.proactor.ProactorGroup}s, opened on an {@link io.proactor.Engine} chosen with
 * {@link io.proactor.Engines}.
 *
 * <h2>Threading</h2>
 * Every method of every type here may be called from any thread. A completion handler runs on the thread of
 * the proactor that owns the channel, exactly once ({@code completed} or {@code failed}), and never inside the
 * call that initiated the operation; it must not block, since every other channel of that proactor waits
 * while it runs. A {@link java.util.concurrent.CompletableFuture} form completes on that same thread.
 * {@link io.proactor.ProactorGroup#close()} must not be called from one of the group's own threads.
 *
 * <h2>Buffer ownership</h2>
 * A buffer passed to {@code read} or {@code write} belongs to the engine from the call until its handler runs:
 * the caller must not read, write or move it in between; on completion its position has advanced by the bytes
 * transferred. A {@link io.proactor.LeasedBuffer} from {@code receive} belongs to the handler until it calls
 * {@link io.proactor.LeasedBuffer#release()}, exactly once.
 *
 * <h2>Misuse and errors</h2>
 * Misuse throws at once ({@link java.nio.channels.ReadPendingException}, {@link NullPointerException});
 * I/O errors, closing and timeouts reach {@code failed}. {@code close()} is idempotent and never blocks.
 */
package io.proactor;
