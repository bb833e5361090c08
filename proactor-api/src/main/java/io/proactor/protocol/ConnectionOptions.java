package io.proactor.protocol;

/**
 * Per-connection settings shared by every engine.
 *
 * @param readBufferSize bytes read at most per {@link ProtocolHandler#onRead} (Reactor engines; Proactor
 *                       engines use their group's receive buffers of this size)
 * @param highWaterMark  queued output, in bytes, above which reading pauses
 * @param lowWaterMark   queued output, in bytes, at or below which paused reading resumes
 * @param tcpNoDelay     disable Nagle's algorithm (on by default: request/response protocols want it)
 */
public record ConnectionOptions(int readBufferSize, long highWaterMark, long lowWaterMark, boolean tcpNoDelay) {

    public static final ConnectionOptions DEFAULT = new ConnectionOptions(16 * 1024, 1024 * 1024, 256 * 1024, true);

    public ConnectionOptions {
        if (readBufferSize < 64 || readBufferSize > (1 << 24)) {
            throw new IllegalArgumentException(
                    "'readBufferSize' must be between 64 bytes and 16 MiB, was " + readBufferSize);
        }
        if (lowWaterMark < 0 || highWaterMark <= lowWaterMark) {
            throw new IllegalArgumentException("need 0 <= lowWaterMark < highWaterMark, was low="
                    + lowWaterMark + " high=" + highWaterMark);
        }
    }

    public ConnectionOptions withWaterMarks(long low, long high) {
        return new ConnectionOptions(readBufferSize, high, low, tcpNoDelay);
    }

    public ConnectionOptions withReadBufferSize(int size) {
        return new ConnectionOptions(size, highWaterMark, lowWaterMark, tcpNoDelay);
    }
}
