package io.proactor.spi;

import io.proactor.AsyncFile;
import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.SharedFile;
import java.io.IOException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * Executes operations: the pattern's <b>Asynchronous Operation Processor</b>. The kernel's io_uring does
 * it for the io_uring engine; the JDK's asynchronous channels do it for NIO.2. One instance serves one
 * proactor; it creates the channels whose operations it executes, and every finished operation becomes an
 * event in that proactor's {@link CompletionEventQueue}.
 *
 * <p><b>Threading.</b> Created and closed on any thread by the engine; the open methods are called by the
 * proactor (from any thread). Channels report each operation start and end to the proactor
 * ({@code ProactorLoop.operationStarted()} and {@code operationFinished()}), so that
 * {@link #close()} is only called when the processor holds no operation any more (or the shutdown deadline
 * passed).
 */
public interface AsynchronousOperationProcessor {

    AsyncSocket openSocket() throws IOException;

    AsyncServerSocket openServerSocket() throws IOException;

    /** Opens a file; {@code options} are already validated. The handler runs on the proactor's thread. */
    <A> void openFile(Path path, Set<? extends OpenOption> options, A attachment,
                      CompletionHandler<AsyncFile, ? super A> handler);

    /**
     * Begins a use of an already open {@link SharedFile} through this processor, for sends: the returned file
     * reads it (reads only: writes fail) and holds a reference of its own until the use has ended and none of
     * its operations is in flight any more. Called on the proactor's thread; nothing is opened. End the use
     * with {@link #endAdoption}, never by closing the file: an engine may lend the same file to every send of
     * {@code file} on this proactor, so that a send allocates nothing.
     *
     * @return {@code null} if this processor cannot read the shared descriptor; the caller then opens the
     *         file's path instead
     * @throws IllegalStateException the shared file is closed
     */
    AsyncFile adoptFile(SharedFile file);

    /**
     * Ends a use that {@link #adoptFile} began; the caller does not touch {@code adopted} afterwards. By
     * default the adopted file is closed (for engines that make one per use).
     */
    default void endAdoption(AsyncFile adopted) {
        adopted.close();
    }

    /** Releases this processor's resources; called once, on the proactor's thread, as it terminates. */
    void close();
}
