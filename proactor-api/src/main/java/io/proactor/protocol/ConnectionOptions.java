package io.proactor.protocol;

/**
 * Per-connection settings shared by every engine.
 *
 * @param readBufferSize bytes read at most per {@link ProtocolHandler#onRead} (Reactor engines; Proactor
 *                       engines use their group's receive buffers of this size)
 * @param highWaterMark  queued output, in bytes, above which reading pauses
 * @param lowWaterMark   queued output, in bytes, at or below which paused reading resumes
 * @param tcpNoDelay     disable Nagle's algorithm (on by default: request/response protocols want it)
 * @param receiveBufferCount Proactor engines: receive buffers each proactor may hold at most, so its receive
 *                       memory is capped at {@code receiveBufferCount × readBufferSize} (io_uring grows its
 *                       pool up to this on demand and shrinks it when idle; at the cap receives wait for a
 *                       buffer to come back, losing nothing); between 1 and 32768, default 256
 */
public record ConnectionOptions(int readBufferSize, long highWaterMark, long lowWaterMark, boolean tcpNoDelay,
                                int receiveBufferCount) {

    public static final ConnectionOptions DEFAULT = new ConnectionOptions(16 * 1024, 1024 * 1024, 256 * 1024, true,
            256);

    public ConnectionOptions {
        if (readBufferSize < 64 || readBufferSize > (1 << 24)) {
            throw new IllegalArgumentException(
                    "'readBufferSize' must be between 64 bytes and 16 MiB, was " + readBufferSize);
        }
        if (receiveBufferCount < 1 || receiveBufferCount > 32768) {
            throw new IllegalArgumentException(
                    "'receiveBufferCount' must be between 1 and 32768, was " + receiveBufferCount);
        }
        if (lowWaterMark < 0 || highWaterMark <= lowWaterMark) {
            throw new IllegalArgumentException("need 0 <= lowWaterMark < highWaterMark, was low="
                    + lowWaterMark + " high=" + highWaterMark);
        }
    }

    public ConnectionOptions withWaterMarks(long low, long high) {
        return new ConnectionOptions(readBufferSize, high, low, tcpNoDelay, receiveBufferCount);
    }

    public ConnectionOptions withReadBufferSize(int size) {
        return new ConnectionOptions(size, highWaterMark, lowWaterMark, tcpNoDelay, receiveBufferCount);
    }

    public ConnectionOptions withReceiveBufferCount(int count) {
        return new ConnectionOptions(readBufferSize, highWaterMark, lowWaterMark, tcpNoDelay, count);
    }
}
