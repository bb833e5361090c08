package io.proactor.samples.http;

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
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Objects;

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
 * <p>Thread-safe. It touches the file system on every call: what it remembers (in a bounded table of the last
 * {@value #CACHED_PATHS} paths asked for) is only the pure part, a raw path's decoded and normalized {@code Path}
 * objects, so that a path asked for again is resolved without allocating; every {@code lstat} and check is made
 * again each time.
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

    /** Size of the table of normalized paths: a power of two; a path's hash picks its one slot. */
    static final int CACHED_PATHS = 1024;
    /** Longer raw paths are not kept: the table holds at most about {@code CACHED_PATHS} times 2 KiB. */
    private static final int MAX_CACHED_PATH = 512;

    private final Path realRoot;
    private final Normalized[] cache = new Normalized[CACHED_PATHS];

    /** @throws IOException the root does not exist or is not a directory; the message says which */
    public HttpPathResolver(Path root) throws IOException {
        Objects.requireNonNull(root, "'root' is null");
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
        return switch (status) {
            case 200 -> new Found(out.file, out.attributes);
            case 301 -> new Redirect(out.location);
            default -> new Refused(status, out.reason);
        };
    }

    /**
     * Where a resolution ends, filled by {@link #resolve(byte[], int, int, Target)}: one per connection, reused.
     * For 200 {@code file} and {@code attributes}, for 301 {@code location}, otherwise {@code reason}.
     */
    static final class Target {
        Path file;
        BasicFileAttributes attributes;
        String location;
        String reason;
    }

    /**
     * Resolves the raw path {@code raw[from, to)} into {@code out} and returns the status: 200 (a file), 301
     * (a directory without its slash) or 400, 403, 404. Allocates nothing when the path was asked for recently
     * and leads to a regular file through no symbolic link, but what reading the file's attributes allocates.
     */
    int resolve(byte[] raw, int from, int to, Target out) {
        out.file = null;
        out.attributes = null;
        out.location = null;
        out.reason = null;
        int hash = 1;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + raw[i];
        }
        int slot = (hash ^ (hash >>> 16)) & (CACHED_PATHS - 1);
        Normalized n = cache[slot];
        if (n == null || n.hash != hash || !Arrays.equals(n.raw, 0, n.raw.length, raw, from, to)) {
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
            if (to - from <= MAX_CACHED_PATH) {
                cache[slot] = n; // racy publication is safe: every field of Normalized is final
            }
        }
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

    private static int refuse(Target out, int status, String reason) {
        out.reason = reason;
        return status;
    }

    /**
     * A raw path decoded and normalized: the real root joined with its first segment, its first two, ... (all of
     * them last); immutable, shared by every thread through the cache.
     */
    private static final class Normalized {
        final byte[] raw;
        final int hash;
        final Path[] prefixes;       // null: '..' climbs above the root
        final boolean trailingSlash; // the decoded path ends in '/'
        final String location;       // where a directory without the slash is redirected
        final Path index;            // the last prefix's index.html

        Normalized(byte[] raw, int hash, Path[] prefixes, boolean trailingSlash, String location, Path index) {
            this.raw = raw;
            this.hash = hash;
            this.prefixes = prefixes;
            this.trailingSlash = trailingSlash;
            this.location = location;
            this.index = index;
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
