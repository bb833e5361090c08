package io.proactor;

/**
 * The kinds of operation a proactor counts in its {@link ProactorMetrics}: what an application starts on an
 * {@link Initiator}, one count per call, whatever the engine does underneath (one io_uring SQE, several, or a
 * JDK call).
 */
public enum OperationKind {
    /** {@link AsyncServerSocket#accept}. */
    ACCEPT,
    /** {@link AsyncSocket#connect}. */
    CONNECT,
    /** {@link AsyncSocket#read} and {@link AsyncSocket#receive}: one per call, however many bytes arrive. */
    READ,
    /** {@link AsyncSocket#write}, the gathering write and {@link AsyncSocket#transferFrom}: one per call. */
    WRITE,
    /** {@link AsyncSocket#shutdownOutput}. */
    SHUTDOWN_OUTPUT,
    /** {@link AsyncFile#read}. */
    FILE_READ,
    /** {@link AsyncFile#write}. */
    FILE_WRITE,
    /** {@link AsyncFile#force}. */
    FILE_FORCE
}
