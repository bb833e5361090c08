package io.proactor.samples.http;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Fuzzing of the file server's parsers of untrusted bytes, with Jazzer. In a normal build each fuzz test runs
 * once per input of its saved corpus ({@code src/test/resources/io/proactor/samples/http/HttpFuzzTestInputs/
 * <test>/}): seeds, and every input that once failed, kept as a regression test. To fuzz (coverage-guided,
 * new failing inputs are written into that corpus directory):
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -pl proactor-samples -am test -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest=HttpFuzzTest#requestParser      # or #pathResolver; each runs for its maxDuration
 * </pre>
 */
class HttpFuzzTest {

    private static final Set<Integer> PARSE_ERRORS = Set.of(400, 413, 414, 431, 501, 505);

    /**
     * Any bytes, cut into pieces anywhere: the parser returns the same requests, or fails the same way, as when
     * it reads them in one piece (incremental parsing must not depend on where reads end); it fails only with
     * an {@link HttpParseException} carrying an error status; and what it returns is well-formed (a token
     * method, a target without spaces or controls, header values without CR, LF or NUL).
     */
    @FuzzTest(maxDuration = "2m")
    void requestParser(FuzzedDataProvider data) {
        int pieces = data.consumeInt(1, 16);
        int[] cuts = new int[pieces - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = data.consumeInt(0, 4096);
        }
        byte[] bytes = data.consumeRemainingAsBytes();

        Outcome whole = parse(List.of(bytes));
        List<byte[]> split = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            int to = Math.min(bytes.length, from + cut);
            split.add(java.util.Arrays.copyOfRange(bytes, from, to));
            from = to;
        }
        split.add(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
        Outcome pieceByPiece = parse(split);
        if (!whole.equals(pieceByPiece)) {
            throw new AssertionError("in one piece: " + whole + "\nin pieces: " + pieceByPiece);
        }
    }

    private record Outcome(List<String> requests, int errorStatus) {
    }

    private static Outcome parse(List<byte[]> pieces) {
        // small limits, so that the 414 and 431 paths are reached by short inputs too
        HttpRequestParser parser = new HttpRequestParser(64, 256, 512);
        List<String> requests = new ArrayList<>();
        try {
            for (byte[] piece : pieces) {
                ByteBuffer in = ByteBuffer.wrap(piece);
                for (int guard = 0; guard <= piece.length; guard++) {
                    HttpRequest request = parser.parse(in);
                    if (request == null) {
                        if (in.hasRemaining()) {
                            throw new AssertionError("returned without a request while bytes remain");
                        }
                        break;
                    }
                    checkWellFormed(request);
                    requests.add(request.toString());
                }
            }
        } catch (HttpParseException e) {
            if (!PARSE_ERRORS.contains(e.status())) {
                throw new AssertionError("a parse error with status " + e.status(), e);
            }
            return new Outcome(requests, e.status());
        }
        return new Outcome(requests, 0);
    }

    private static void checkWellFormed(HttpRequest request) {
        if (request.method().isEmpty() || !request.method().chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
            throw new AssertionError("method is not a token: " + request.method());
        }
        if (request.target().isEmpty() || !request.target().chars().allMatch(c -> c > 32 && c < 127)) {
            throw new AssertionError("target with a space or a control character: " + request.target());
        }
        for (HttpRequest.Header h : request.headers()) {
            if (h.value().chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new AssertionError("header value with CR, LF or NUL: " + h);
            }
        }
    }

    /** A root with a file, a directory with an index, and links pointing inside and outside it. */
    private static final HttpPathResolver RESOLVER;
    private static final Path ROOT;

    static {
        try {
            Path base = Files.createTempDirectory("proactor-fuzz-");
            ROOT = Files.createDirectories(base.resolve("root"));
            Path outside = Files.writeString(base.resolve("secret.txt"), "outside the root");
            Files.writeString(ROOT.resolve("a.txt"), "a");
            Files.createDirectories(ROOT.resolve("dir"));
            Files.writeString(ROOT.resolve("dir").resolve("index.html"), "index");
            Files.createSymbolicLink(ROOT.resolve("in-link"), ROOT.resolve("a.txt"));
            Files.createSymbolicLink(ROOT.resolve("out-link"), outside);
            Files.createSymbolicLink(ROOT.resolve("dir").resolve("up-link"), base);
            RESOLVER = new HttpPathResolver(ROOT);
            for (Path p : List.of(ROOT.resolve("dir").resolve("up-link"), ROOT.resolve("out-link"),
                    ROOT.resolve("in-link"), ROOT.resolve("dir").resolve("index.html"), ROOT.resolve("dir"),
                    ROOT.resolve("a.txt"), ROOT, outside, base)) {
                p.toFile().deleteOnExit(); // deleted in reverse order of registration
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Any request path: the resolver answers (never throws), and whatever it finds is a file under the root. */
    @FuzzTest(maxDuration = "2m")
    void pathResolver(FuzzedDataProvider data) throws IOException {
        String rawPath = data.consumeRemainingAsString();
        HttpPathResolver.Resolution r = RESOLVER.resolve(rawPath);
        if (r instanceof HttpPathResolver.Found found) {
            Path real = found.file().toRealPath();
            if (!real.startsWith(RESOLVER.root()) || !Files.isRegularFile(real)) {
                throw new AssertionError(rawPath + " resolved to " + real + ", outside the root or not a file");
            }
        } else if (r instanceof HttpPathResolver.Refused refused && !Set.of(400, 403, 404).contains(refused.status())) {
            throw new AssertionError(rawPath + " refused with status " + refused.status());
        } else if (r instanceof HttpPathResolver.Redirect redirect
                && (!redirect.location().startsWith("/") || redirect.location().startsWith("//"))) {
            throw new AssertionError(rawPath + " redirects off-site: " + redirect.location());
        }
    }
}
