package io.proactor.reactor;

import io.proactor.SharedFile;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;

/**
 * A queued file sent with {@link FileChannel#transferTo} ({@code sendfile(2)} on Linux: the bytes never enter
 * user space): opened on the first transfer, closed when all is sent or on {@link #release}; or a
 * {@link SharedFile}, whose reference this holds from the moment it is queued until it is released. The reactor
 * sends what the socket takes and waits for room ({@link #transfer}); a virtual thread sends it all
 * ({@link #transferAll}). One thread at a time, but {@link #release}, which any thread may call, once or more.
 */
final class FileTransfer {

    /** What a blocking sender writes through a buffer when {@code sendfile} finds the send buffer full. */
    private static final int PIECE = 64 * 1024;
    /**
     * The most a blocking sender asks one {@code sendfile} for: on a blocking socket (platform threads) it returns
     * only once it sent all it was asked, and the send timeout must see progress before the end of a large file.
     */
    private static final long BLOCKING_SENDFILE = 256 * 1024;
    /** Given as a set: the varargs form of {@code FileChannel.open} builds a new HashSet of them per file. */
    private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ);
    private static final FileAttribute<?>[] NO_ATTRIBUTES = new FileAttribute<?>[0];

    private Path path;
    private long position;
    private long count;
    private boolean copies;
    private SharedFile shared; // the reference held, until released
    private FileChannel file;
    private long sent;

    /**
     * A transfer of {@code shared} (if not null; this holds the reference the caller took) or of {@code path};
     * {@code copies}: the reactor reads the range into its output chunks ({@link #copyInto}) instead.
     */
    FileTransfer(Path path, SharedFile shared, long position, long count, boolean copies) {
        reuse(path, shared, position, count, copies);
    }

    /** Makes this transfer, which has ended and been released, a new one, as the constructor does. */
    FileTransfer reuse(Path path, SharedFile shared, long position, long count, boolean copies) {
        this.path = path;
        this.shared = shared;
        this.file = shared != null ? shared.channel() : null;
        this.position = position;
        this.count = count;
        this.copies = copies;
        this.sent = 0;
        return this;
    }

    /** Whether the range is to be read into output chunks rather than sent with {@code sendfile}. */
    boolean copies() {
        return copies;
    }

    long count() {
        return count;
    }

    /**
     * Reads the whole range into {@code chunks[from, to)}, each filled to its capacity but the last, and flipped
     * ({@code pread}s; for a small file one, where {@code transferTo} makes three system calls: the JDK asks the
     * size, tries {@code copy_file_range}, which a socket refuses, then {@code sendfile}). The file is released.
     *
     * @throws EOFException the file ended before the range did
     */
    void copyInto(ByteBuffer[] chunks, int from, int to) throws IOException {
        try {
            if (file == null) {
                file = FileChannel.open(path, READ, NO_ATTRIBUTES);
            }
            for (int i = from; i < to; i++) {
                ByteBuffer chunk = chunks[i];
                chunk.limit((int) Math.min(chunk.capacity(), count - sent));
                while (chunk.hasRemaining()) {
                    int read = file.read(chunk, position + sent);
                    if (read < 0) {
                        throw endedEarly();
                    }
                    sent += read;
                }
                chunk.flip();
            }
        } finally {
            release();
        }
    }

    /**
     * Sends what the socket takes, running {@code progressed} after each send that moved bytes; {@code true} once
     * all {@code count} bytes went out (the file is closed then).
     */
    boolean transfer(SocketChannel socket, Runnable progressed) throws IOException {
        return transfer(socket, Long.MAX_VALUE, progressed);
    }

    /** {@link #transfer(SocketChannel, Runnable)}, asking one {@code sendfile} for at most {@code perCall} bytes. */
    private boolean transfer(SocketChannel socket, long perCall, Runnable progressed) throws IOException {
        if (file == null) {
            file = FileChannel.open(path, READ, NO_ATTRIBUTES);
        }
        while (sent < count) {
            long n = file.transferTo(position + sent, Math.min(perCall, count - sent), socket);
            if (n > 0) {
                sent += n;
                progressed.run();
            } else if (position + sent >= file.size()) {
                throw endedEarly();
            } else {
                return false; // the socket's send buffer is full
            }
        }
        release();
        return true;
    }

    /**
     * Sends it all from a virtual thread. Its socket is non-blocking underneath, so {@code sendfile} returns 0
     * when the send buffer is full instead of blocking; the next piece then goes through a buffer with a
     * parking {@code write}, rather than spinning until the peer reads. {@code progressed} runs after each
     * send that moved bytes.
     */
    void transferAll(SocketChannel socket, Runnable progressed) throws IOException {
        try {
            ByteBuffer piece = null;
            while (!transfer(socket, BLOCKING_SENDFILE, progressed)) {
                if (piece == null) {
                    piece = ByteBuffer.allocate(PIECE);
                }
                piece.clear().limit((int) Math.min(PIECE, count - sent));
                int n = file.read(piece, position + sent);
                if (n <= 0) {
                    throw endedEarly();
                }
                piece.flip();
                while (piece.hasRemaining()) {
                    socket.write(piece); // parks this virtual thread until the socket has room
                    progressed.run();
                }
                sent += n;
            }
        } finally {
            release();
        }
    }

    private EOFException endedEarly() {
        return new EOFException(path + " ended after " + sent + " of " + count + " bytes");
    }

    /** Closes the file if this opened it, or drops the shared file's reference; only the first call acts. */
    synchronized void release() {
        if (shared != null) {
            shared.release();
            shared = null;
        } else if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                // read-only file: nothing was lost
            }
        }
        file = null;
    }
}
