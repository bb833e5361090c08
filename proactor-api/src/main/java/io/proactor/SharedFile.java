package io.proactor;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file opened once for reading and sent by many connections, on any engine
 * ({@link io.proactor.protocol.Connection#sendFile(SharedFile, long, long,
 * io.proactor.protocol.Connection.FileSendMode)}): what an open-file cache keeps, so that a file asked for again
 * costs no {@code open} and no {@code close}.
 *
 * <p><b>References.</b> {@link #open} returns it holding one reference, the opener's. {@link #retain} adds one,
 * {@link #release} drops one, and the descriptor is closed when the last is dropped. A connection takes its own
 * reference when a send of the file is queued and drops it when the send has ended, so the opener (a cache
 * evicting the file, say) may release its reference at any moment: no transfer in flight is cut short, and the
 * descriptor is closed by whoever drops the last reference.
 *
 * <p><b>Contents.</b> The descriptor stays on the file that was opened: if the path is later renamed over,
 * deleted or truncated, this object still reads the file it opened (a truncated one ends early, and a send of
 * it fails as any send of a file that ended early does). Deciding when to open the path again is the owner's
 * business.
 *
 * <p><b>Threading.</b> Thread-safe: any thread may retain, release and send it.
 */
public final class SharedFile {

    /** As a set: the varargs form of {@code FileChannel.open} allocates one per call. */
    private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ);
    private static final FileAttribute<?>[] NO_ATTRIBUTES = new FileAttribute<?>[0];

    private final Path path;
    private final FileChannel channel;
    private final AtomicInteger references = new AtomicInteger(1);

    private SharedFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /**
     * Opens {@code path} for reading, synchronously (one {@code openat}), holding one reference.
     *
     * @throws java.nio.file.NoSuchFileException    the file does not exist
     * @throws java.nio.file.AccessDeniedException  this process may not read it
     * @throws IOException                          it cannot be opened for another reason (a directory, say)
     */
    public static SharedFile open(Path path) throws IOException {
        Objects.requireNonNull(path, "'path' is null");
        return new SharedFile(path, FileChannel.open(path, READ, NO_ATTRIBUTES));
    }

    /** The path it was opened with (which may name another file by now). */
    public Path path() {
        return path;
    }

    /**
     * The open file, for engines: positional reads and transfers only. Never close it (release instead) and
     * never move its position: every connection that sends this file shares it.
     */
    public FileChannel channel() {
        return channel;
    }

    /** The size of the opened file now (one {@code fstat}). */
    public long size() throws IOException {
        return channel.size();
    }

    /**
     * Adds a reference, unless the last one was already dropped.
     *
     * @return {@code false} if the file is closed: then nothing was added, and it must not be used
     */
    public boolean retain() {
        int n;
        do {
            n = references.get();
            if (n == 0) {
                return false;
            }
        } while (!references.compareAndSet(n, n + 1));
        return true;
    }

    /**
     * Drops a reference; the last one closes the descriptor.
     *
     * @throws IllegalStateException more references were dropped than were taken
     */
    public void release() {
        int n = references.decrementAndGet();
        if (n == 0) {
            try {
                channel.close();
            } catch (IOException e) {
                // opened for reading only: closing it loses nothing
            }
        } else if (n < 0) {
            references.incrementAndGet();
            throw new IllegalStateException(path + " was released more often than it was retained");
        }
    }

    /** How many references are held now (for tests and diagnostics). */
    public int references() {
        return references.get();
    }

    /** {@code false} once the last reference was dropped. */
    public boolean isOpen() {
        return references.get() > 0;
    }

    @Override
    public String toString() {
        return "SharedFile[" + path + ", references=" + references.get() + "]";
    }
}
