package io.proactor.samples.http;

import io.proactor.SharedFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Maps a request path to a regular file under one root directory, and never to anything outside it.
 *
 * <p>The path is percent-decoded exactly once (so {@code %252e} stays a literal {@code %2e}), as UTF-8.
 * Refused with 400: malformed escapes or UTF-8, {@code %00} and other control characters, an encoded
 * {@code /} (a file name cannot hold one, and servers that decode it late can be tricked into escaping),
 * and {@code ..} segments climbing above the root. What remains is resolved under the root, every symbolic
 * link followed ({@link Path#toRealPath}), and the result must still lie under the root's real path (403 if
 * a link points outside). A directory is served from its {@code index.html}; without one it is refused (403):
 * there are no listings. A directory asked for without the trailing slash is redirected (301) to it, so that
 * relative links in its index resolve.
 *
 * <p><b>The open-file cache</b> (nginx's {@code open_file_cache}). A bounded table of the last
 * {@value #CACHED_PATHS} raw paths asked for (a path's hash picks its one slot; a new path evicts the one there)
 * remembers, per path, its decoded and normalized form and what the last check of it found: the file, opened
 * once as a {@link SharedFile}, with its attributes; or the redirect; or the error (404, 403). For the validity
 * interval that answer is given without touching the file system and without allocating; after it, the path is
 * checked again ({@code lstat} of each component, {@code access}) and a file is reopened only if its identity
 * (device and inode, size, modification time) changed. So a file replaced, truncated, deleted or made unreadable
 * is served as it was for at most the validity interval, as with nginx; errors are trusted for at most
 * {@value #MAX_ERROR_VALIDITY_MILLIS} ms of it, so that a new file is found soon. A shared file is closed
 * when the cache forgot it (evicted, replaced, the resolver {@linkplain #close closed}) and the last send of it
 * has ended.
 *
 * <p>Thread-safe: every loop of a server asks the one resolver; a path's check is made by one thread at a time.
 */
public final class HttpPathResolver {

    /** What a request path maps to. */
    public sealed interface Resolution {
    }

    /** A regular file, by its real path, with its attributes read once. */
    public record Found(Path file, BasicFileAttributes attributes) implements Resolution {
    }

    /** The resource is a directory; the client should ask for {@code location} (path with a slash) instead. */
    public record Redirect(String location) implements Resolution {
    }

    /** Refused: {@code status} is 400, 403 or 404, {@code reason} says why (for the log, not the client). */
    public record Refused(int status, String reason) implements Resolution {
    }

    private static final String INDEX = "index.html";
    static final long MAX_ERROR_VALIDITY_MILLIS = 1000;

    /** Size of the table of normalized paths: a power of two; a path's hash picks its one slot. */
    static final int CACHED_PATHS = 1024;
    /** Longer raw paths are not kept: the table holds at most about {@code CACHED_PATHS} times 2 KiB. */
    private static final int MAX_CACHED_PATH = 512;

    private final Path realRoot;
    private final AtomicReferenceArray<Normalized> cache = new AtomicReferenceArray<>(CACHED_PATHS);
    private final long validityNanos;
    private final long errorValidityNanos;
    private volatile boolean closed;

    /** A resolver that checks every path on every request (a validity of zero). */
    public HttpPathResolver(Path root) throws IOException {
        this(root, Duration.ZERO);
    }

    /**
     * @param validity how long a check of a path is trusted (see the class comment); zero checks every request
     * @throws IOException the root does not exist or is not a directory; the message says which
     */
    public HttpPathResolver(Path root, Duration validity) throws IOException {
        Objects.requireNonNull(root, "'root' is null");
        Objects.requireNonNull(validity, "'validity' is null");
        if (validity.isNegative()) {
            throw new IllegalArgumentException("'validity' must not be negative, was " + validity);
        }
        this.validityNanos = validity.toNanos();
        this.errorValidityNanos = Math.min(validityNanos, TimeUnit.MILLISECONDS.toNanos(MAX_ERROR_VALIDITY_MILLIS));
        Path real;
        try {
            real = root.toRealPath();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(root.toString(), null, "the directory to serve does not exist");
        }
        if (!Files.isDirectory(real)) {
            throw new NotDirectoryException(root + " (the root to serve must be a directory)");
        }
        this.realRoot = real;
    }

    public Path root() {
        return realRoot;
    }

    /** Resolves {@code rawPath} (the still-encoded path of a request target, starting with '/'). */
    public Resolution resolve(String rawPath) {
        Objects.requireNonNull(rawPath, "'rawPath' is null");
        for (int i = 0; i < rawPath.length(); i++) {
            if (rawPath.charAt(i) > 0xff) { // would not survive the conversion to bytes; refused as percentDecode does
                return new Refused(400, "character in the path that must be percent-encoded");
            }
        }
        Target out = new Target();
        byte[] raw = rawPath.getBytes(StandardCharsets.ISO_8859_1);
        int status = resolve(raw, 0, raw.length, out);
        if (out.shared != null) {
            out.shared.release(); // this form tells what the path maps to, and opens nothing for the caller
        }
        return switch (status) {
            case 200 -> new Found(out.file, out.attributes);
            case 301 -> new Redirect(out.location);
            default -> new Refused(status, out.reason);
        };
    }

    /**
     * Where a resolution ends, filled by {@link #resolve(byte[], int, int, Target)}: one per connection, reused.
     * For 200 {@code file}, {@code attributes}, {@code modifiedMicros} and {@code shared}, a reference of which the
     * caller holds and must release; for 301 {@code location}, otherwise {@code reason}.
     */
    static final class Target {
        Path file;
        BasicFileAttributes attributes;
        /** The file's modification time, read once per check: each {@code lastModifiedTime()} makes a FileTime. */
        long modifiedMicros;
        SharedFile shared;
        String location;
        String reason;
    }

    /** What a check of a path found; immutable. {@code shared} holds the cache's reference while it is cached. */
    private record Checked(int status, Path file, BasicFileAttributes attributes, long modifiedMicros,
                           SharedFile shared, String location, String reason, long validUntil) {

        /** Gives this answer to {@code out}, with a reference for the caller; false if the file was closed meanwhile. */
        boolean claim(Target out) {
            if (shared != null && !shared.retain()) {
                return false;
            }
            out.file = file;
            out.attributes = attributes;
            out.modifiedMicros = modifiedMicros;
            out.shared = shared;
            out.location = location;
            out.reason = reason;
            return true;
        }
    }

    /**
     * Resolves the raw path {@code raw[from, to)} into {@code out} and returns the status: 200 (a file, open, whose
     * reference the caller must release), 301 (a directory without its slash) or 400, 403, 404. Allocates nothing
     * and touches no file when the path was checked within the validity interval.
     */
    int resolve(byte[] raw, int from, int to, Target out) {
        out.file = null;
        out.attributes = null;
        out.modifiedMicros = 0;
        out.shared = null;
        out.location = null;
        out.reason = null;
        int hash = 1;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + raw[i];
        }
        int slot = (hash ^ (hash >>> 16)) & (CACHED_PATHS - 1);
        Normalized n = cache.get(slot);
        if (n == null || n.hash != hash || !Arrays.equals(n.raw, 0, n.raw.length, raw, from, to)) {
            Normalized evicted = n;
            if (to == from || raw[from] != '/') {
                return refuse(out, 400, "path does not start with '/'");
            }
            try {
                n = normalize(Arrays.copyOfRange(raw, from, to), hash);
            } catch (IllegalArgumentException e) {
                return refuse(out, 400, e.getMessage());
            }
            if (n.prefixes == null) {
                return refuse(out, 400, "'..' climbs above the root");
            }
            if (to - from > MAX_CACHED_PATH || closed || !cache.compareAndSet(slot, evicted, n)) {
                n.forget(); // not in the table: checked for this request only
            } else if (evicted != null) {
                evicted.forget();
                if (closed) {
                    n.forget(); // close() may have swept the table before n went in
                }
            }
        }
        Checked c = n.checked;
        if (c != null && System.nanoTime() - c.validUntil < 0 && c.claim(out)) {
            return c.status;
        }
        return n.check(out);
    }

    /** Forgets every path, closing what no send is using; resolving goes on, checking each path every time. */
    public void close() {
        closed = true;
        for (int i = 0; i < CACHED_PATHS; i++) {
            Normalized n = cache.getAndSet(i, null);
            if (n != null) {
                n.forget();
            }
        }
    }

    /** What checking the file system says of {@code n}'s path now: the status, and {@code out} filled. */
    private int walkChecked(Normalized n, Target out) {
        try {
            return walk(n, out);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return refuse(out, 404, "no such file");
        } catch (AccessDeniedException e) {
            return refuse(out, 403, "permission denied");
        } catch (IOException e) {
            // e.g. ELOOP from a link cycle, ENAMETOOLONG: the path cannot name a file we serve
            return refuse(out, 404, "cannot open: " + e.getMessage());
        }
    }

    private static boolean sameFile(BasicFileAttributes a, BasicFileAttributes b) {
        return Objects.equals(a.fileKey(), b.fileKey()) && a.size() == b.size()
                && a.lastModifiedTime().equals(b.lastModifiedTime());
    }

    private static int refuse(Target out, int status, String reason) {
        out.reason = reason;
        return status;
    }

    /**
     * A raw path decoded and normalized (the real root joined with its first segment, its first two, ... all of
     * them last), and what the last check of it found; shared by every thread through the cache. The final
     * fields are published safely by the table's compare-and-set; {@link #checked} is written under the lock.
     */
    private final class Normalized {
        final byte[] raw;
        final int hash;
        final Path[] prefixes;       // null: '..' climbs above the root
        final boolean trailingSlash; // the decoded path ends in '/'
        final String location;       // where a directory without the slash is redirected
        final Path index;            // the last prefix's index.html
        volatile Checked checked;    // null: never checked, or forgotten
        private boolean forgotten;   // out of the table: a check is for one request and keeps nothing

        Normalized(byte[] raw, int hash, Path[] prefixes, boolean trailingSlash, String location, Path index) {
            this.raw = raw;
            this.hash = hash;
            this.prefixes = prefixes;
            this.trailingSlash = trailingSlash;
            this.location = location;
            this.index = index;
        }

        /**
         * Checks the path (one thread at a time), keeps the answer for the validity interval unless forgotten, and
         * gives it to {@code out}. A file whose identity did not change keeps its open descriptor; a changed one is
         * opened anew, and the cache's reference to the old one dropped.
         */
        synchronized int check(Target out) {
            Checked old = checked;
            long now = System.nanoTime();
            if (old != null && now - old.validUntil < 0 && old.claim(out)) {
                return old.status; // another thread checked it while this one waited
            }
            int status = walkChecked(this, out);
            SharedFile file = null;
            if (status == 200) {
                if (old != null && old.shared != null && sameFile(old.attributes, out.attributes)
                        && old.shared.retain()) {
                    file = old.shared; // unchanged: the caller's reference; the cache keeps its own
                } else {
                    try {
                        file = SharedFile.open(out.file); // the opener's reference, the cache's
                    } catch (NoSuchFileException e) {
                        status = refuse(out, 404, "no such file");
                    } catch (AccessDeniedException e) {
                        status = refuse(out, 403, "permission denied");
                    } catch (IOException e) {
                        status = refuse(out, 404, "cannot open: " + e.getMessage());
                    }
                    if (file != null && !forgotten) {
                        file.retain(); // the caller's
                    }
                }
            }
            if (status != 200) {
                out.file = null;
                out.attributes = null;
            } else {
                out.modifiedMicros = out.attributes.lastModifiedTime().to(TimeUnit.MICROSECONDS);
            }
            out.shared = file;
            if (forgotten) {
                return status; // the opener's reference went to the caller
            }
            long valid = status == 200 || status == 301 ? validityNanos : errorValidityNanos;
            checked = new Checked(status, out.file, out.attributes, out.modifiedMicros, file, out.location, out.reason,
                    now + valid);
            if (old != null && old.shared != null && old.shared != file) {
                old.shared.release(); // the cache's reference to the file it knew before
            }
            return status;
        }

        /** Out of the table: drops the cache's reference to its file; checks from now on keep nothing. */
        synchronized void forget() {
            forgotten = true;
            Checked c = checked;
            checked = null;
            if (c != null && c.shared != null) {
                c.shared.release();
            }
        }
    }

    private Normalized normalize(byte[] raw, int hash) {
        String decoded = percentDecode(new String(raw, StandardCharsets.ISO_8859_1));
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : decoded.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (segments.isEmpty()) {
                    return new Normalized(raw, hash, null, false, null, null);
                }
                segments.removeLast();
                continue;
            }
            segments.addLast(segment);
        }
        Path[] prefixes = new Path[segments.size()];
        Path p = realRoot;
        int i = 0;
        for (String segment : segments) {
            p = p.resolve(segment);
            prefixes[i++] = p;
        }
        return new Normalized(raw, hash, prefixes, decoded.endsWith("/"), location(segments), p.resolve(INDEX));
    }

    private int walk(Normalized n, Target out) throws IOException {
        Path real = realRoot;
        BasicFileAttributes attributes = null;
        boolean linked = false;
        for (Path prefix : n.prefixes) {
            real = prefix;
            attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                // the rare case: follow every link of the whole path, then check where it ended
                real = n.prefixes[n.prefixes.length - 1].toRealPath();
                if (!real.startsWith(realRoot)) {
                    return refuse(out, 403, "a symbolic link leads outside the root");
                }
                attributes = Files.readAttributes(real, BasicFileAttributes.class);
                linked = true;
                break;
            }
        }
        if (attributes == null) {
            attributes = Files.readAttributes(real, BasicFileAttributes.class);
        }
        if (attributes.isDirectory()) {
            if (!n.trailingSlash) {
                out.location = n.location;
                return 301;
            }
            return linked ? index(real.resolve(INDEX), false, out) : index(n.index, true, out);
        }
        return file(real, attributes, out);
    }

    /** {@code inRealDirectory}: no symbolic link led to the directory, so an index that is no link is real. */
    private int index(Path index, boolean inRealDirectory, Target out) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(index, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return refuse(out, 403, "directory without " + INDEX + " (listings are off)");
        }
        if (inRealDirectory && !attributes.isSymbolicLink()) {
            return file(index, attributes, out);
        }
        Path real = index.toRealPath();
        if (!real.startsWith(realRoot)) {
            return refuse(out, 403, "a symbolic link leads outside the root");
        }
        return file(real, Files.readAttributes(real, BasicFileAttributes.class), out);
    }

    private static int file(Path real, BasicFileAttributes attributes, Target out) {
        if (!attributes.isRegularFile()) {
            return refuse(out, 403, "not a regular file"); // devices, FIFOs, sockets: never opened
        }
        if (!Files.isReadable(real)) {
            return refuse(out, 403, "permission denied");
        }
        out.file = real;
        out.attributes = attributes;
        return 200;
    }

    /**
     * The directory's path with a trailing slash, rebuilt from the normalized segments, each percent-encoded:
     * never the raw path, whose leading {@code //host} would make the redirect leave this site.
     */
    private static String location(Deque<String> segments) {
        StringBuilder location = new StringBuilder("/");
        for (String segment : segments) {
            for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xff;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                    location.append((char) c);
                } else {
                    location.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
                }
            }
            location.append('/');
        }
        return location.toString();
    }

    /** Decodes %XX escapes once, then the bytes as UTF-8; refuses what must never reach the file system. */
    static String percentDecode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                if (c <= 0x20 || c >= 0x7f) {
                    throw new IllegalArgumentException("character in the path that must be percent-encoded");
                }
                bytes.write(c);
                continue;
            }
            if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
                    || Character.digit(raw.charAt(i + 2), 16) < 0) {
                throw new IllegalArgumentException("malformed percent escape");
            }
            int b = Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16);
            if (b == '/') {
                throw new IllegalArgumentException("encoded '/' in the path");
            }
            if (b == '\\') {
                throw new IllegalArgumentException("encoded '\\' in the path");
            }
            bytes.write(b);
            i += 2;
        }
        byte[] decoded = bytes.toByteArray();
        for (byte b : decoded) {
            if ((b & 0xff) < 0x20 || b == 0x7f) {
                throw new IllegalArgumentException(b == 0 ? "NUL byte in the path" : "control character in the path");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(decoded)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("path is not valid UTF-8 after decoding");
        }
    }
}
