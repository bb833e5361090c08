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
 * <p>Thread-safe and stateless after construction; it touches the file system on every call (no cache).
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

    private final Path realRoot;

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
        if (!rawPath.startsWith("/")) {
            return new Refused(400, "path does not start with '/'");
        }
        String decoded;
        try {
            decoded = percentDecode(rawPath);
        } catch (IllegalArgumentException e) {
            return new Refused(400, e.getMessage());
        }
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : decoded.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (segments.isEmpty()) {
                    return new Refused(400, "'..' climbs above the root");
                }
                segments.removeLast();
                continue;
            }
            segments.addLast(segment);
        }
        try {
            Path real = realRoot;
            BasicFileAttributes attributes = null;
            for (String segment : segments) {
                real = real.resolve(segment);
                attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (attributes.isSymbolicLink()) {
                    // the rare case: follow every link of the whole path, then check where it ended
                    real = resolveLinks(segments);
                    if (!real.startsWith(realRoot)) {
                        return new Refused(403, "a symbolic link leads outside the root");
                    }
                    attributes = Files.readAttributes(real, BasicFileAttributes.class);
                    break;
                }
            }
            if (attributes == null) {
                attributes = Files.readAttributes(real, BasicFileAttributes.class);
            }
            if (attributes.isDirectory()) {
                if (!decoded.endsWith("/")) {
                    return new Redirect(location(segments));
                }
                return index(real);
            }
            return file(real, attributes);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return new Refused(404, "no such file");
        } catch (AccessDeniedException e) {
            return new Refused(403, "permission denied");
        } catch (IOException e) {
            // e.g. ELOOP from a link cycle, ENAMETOOLONG: the path cannot name a file we serve
            return new Refused(404, "cannot open: " + e.getMessage());
        }
    }

    /** The real path of the root joined with every segment (not only those walked so far), links followed. */
    private Path resolveLinks(Deque<String> segments) throws IOException {
        Path candidate = realRoot;
        for (String segment : segments) {
            candidate = candidate.resolve(segment);
        }
        return candidate.toRealPath();
    }

    private Resolution index(Path directory) throws IOException {
        Path index = directory.resolve(INDEX);
        if (!Files.exists(index, LinkOption.NOFOLLOW_LINKS)) {
            return new Refused(403, "directory without " + INDEX + " (listings are off)");
        }
        Path real = index.toRealPath();
        if (!real.startsWith(realRoot)) {
            return new Refused(403, "a symbolic link leads outside the root");
        }
        return file(real, Files.readAttributes(real, BasicFileAttributes.class));
    }

    private static Resolution file(Path real, BasicFileAttributes attributes) {
        if (!attributes.isRegularFile()) {
            return new Refused(403, "not a regular file"); // devices, FIFOs, sockets: never opened
        }
        if (!Files.isReadable(real)) {
            return new Refused(403, "permission denied");
        }
        return new Found(real, attributes);
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
