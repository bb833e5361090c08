package io.proactor;

/**
 * How a {@link ProactorGroup} is built.
 *
 * @param size              number of proactors (threads), at least 1
 * @param name              prefix of thread names
 * @param receiveBufferSize size of the buffers lent by {@link AsyncSocket#receive}, in bytes
 * @param receiveBufferCount receive buffers each proactor may hold at most (io_uring: its buffer ring starts
 *                          with a few and grows up to this on demand, or the fixed size of the
 *                          {@code PROVIDE_BUFFERS} group on kernels without buffer rings; nio2: its pool)
 */
public record ProactorGroupConfig(int size, String name, int receiveBufferSize, int receiveBufferCount) {

    public static final int DEFAULT_RECEIVE_BUFFER_SIZE = 16 * 1024;
    public static final int DEFAULT_RECEIVE_BUFFER_COUNT = 256;

    public ProactorGroupConfig {
        if (size < 1 || size > 1024) {
            throw new IllegalArgumentException("'size' must be between 1 and 1024 proactors, was " + size);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("'name' must be a non-blank thread-name prefix");
        }
        if (receiveBufferSize < 64 || receiveBufferSize > (1 << 24)) {
            throw new IllegalArgumentException(
                    "'receiveBufferSize' must be between 64 bytes and 16 MiB, was " + receiveBufferSize);
        }
        if (receiveBufferCount < 1 || receiveBufferCount > 32768) {
            throw new IllegalArgumentException(
                    "'receiveBufferCount' must be between 1 and 32768, was " + receiveBufferCount);
        }
    }

    /** {@code size} proactors named {@code proactor}, with default receive buffers. */
    public static ProactorGroupConfig of(int size) {
        return new ProactorGroupConfig(size, "proactor", DEFAULT_RECEIVE_BUFFER_SIZE, DEFAULT_RECEIVE_BUFFER_COUNT);
    }

    public ProactorGroupConfig withName(String newName) {
        return new ProactorGroupConfig(size, newName, receiveBufferSize, receiveBufferCount);
    }

    public ProactorGroupConfig withReceiveBuffers(int bufferSize, int bufferCount) {
        return new ProactorGroupConfig(size, name, bufferSize, bufferCount);
    }
}
