package io.proactor.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpPathResolverTest {

    @TempDir
    Path base;

    private Path root;
    private HttpPathResolver resolver;

    @BeforeEach
    void tree() throws IOException {
        root = HttpTestSupport.tree(base, 10);
        resolver = new HttpPathResolver(root);
    }

    @AfterEach
    void close() {
        resolver.close(); // the files its cache opened
    }

    private int status(String rawPath) {
        return assertInstanceOf(HttpPathResolver.Refused.class, resolver.resolve(rawPath)).status();
    }

    private Path found(String rawPath) {
        return assertInstanceOf(HttpPathResolver.Found.class, resolver.resolve(rawPath)).file();
    }

    @Test
    void resolvesFilesAndIndexesUnderTheRealRoot() throws IOException {
        Path real = root.toRealPath();
        assertEquals(real.resolve("hello.txt"), found("/hello.txt"));
        assertEquals(real.resolve("hello.txt"), found("//./sub/..//hello.txt"));
        assertEquals(real.resolve("index.html"), found("/"));
        assertEquals(real.resolve("sub/index.html"), found("/sub/"));
        assertEquals(real.resolve("sub/file name.txt"), found("/sub/file%20name.txt"));
        assertEquals(real.resolve("hello.txt"), found("/link-inside.txt"));
    }

    @Test
    void refusals() {
        assertEquals(400, status("/../secret.txt"));
        assertEquals(400, status("/%2e%2e/secret.txt"));
        assertEquals(400, status("/a%2fb"));
        assertEquals(400, status("/a%00"));
        assertEquals(400, status("/a%1b"));
        assertEquals(400, status("/a%"));
        assertEquals(400, status("/a%4"));
        assertEquals(400, status("/%ff"));
        assertEquals(400, status("/a b"));
        assertEquals(400, status("/\u00e9"));
        assertEquals(400, status("relative"));
        assertEquals(403, status("/link-outside.txt"));
        assertEquals(403, status("/dir-outside/secret.txt"));
        assertEquals(403, status("/noindex/"));
        assertEquals(404, status("/missing"));
        assertEquals(404, status("/hello.txt/more"));
    }

    @Test
    void directoryWithoutSlashRedirectsToANormalizedLocalPath() {
        assertEquals("/sub/", assertInstanceOf(HttpPathResolver.Redirect.class, resolver.resolve("/sub")).location());
        // '//sub' must not become a redirect to a host called 'sub'
        assertEquals("/sub/", assertInstanceOf(HttpPathResolver.Redirect.class, resolver.resolve("//sub")).location());
    }

    @Test
    void linksInsideTheRootAreFollowedWhereverTheyAreInThePath() throws IOException {
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("sub"));
        Files.createSymbolicLink(root.resolve("sub/up"), root);
        Path real = root.toRealPath();
        assertEquals(real.resolve("sub/file name.txt"), found("/alias/file%20name.txt"));
        assertEquals(real.resolve("hello.txt"), found("/sub/up/hello.txt"));
        assertEquals(real.resolve("sub/index.html"), found("/alias/"));
        assertEquals(403, status("/sub/up/dir-outside/secret.txt"));
    }

    @Test
    void indexLinkLeadingOutsideIsForbidden() throws IOException {
        Path dir = Files.createDirectories(root.resolve("trap"));
        Files.createSymbolicLink(dir.resolve("index.html"), base.resolve("secret.txt"));
        assertEquals(403, status("/trap/"));
    }

    /**
     * The resolver remembers a path's normalized form, never what the file system said: a path resolved before is
     * checked again, so a directory swapped for a link leading outside, a file removed or made a directory is
     * seen at once.
     */
    @Test
    void aRememberedPathIsCheckedAgainstTheFileSystemEveryTime() throws IOException {
        Path real = root.toRealPath();
        assertEquals(real.resolve("sub/file name.txt"), found("/sub/file%20name.txt"));
        assertEquals(real.resolve("sub/index.html"), found("/sub/"));
        assertEquals(real.resolve("hello.txt"), found("/hello.txt"));

        Path outside = Files.createDirectories(base.resolve("outside"));
        Files.write(outside.resolve("file name.txt"), new byte[] {1});
        Files.write(outside.resolve("index.html"), new byte[] {1});
        Files.move(root.resolve("sub"), base.resolve("sub-moved"));
        Files.createSymbolicLink(root.resolve("sub"), outside);
        assertEquals(403, status("/sub/file%20name.txt"));
        assertEquals(403, status("/sub/"));

        Files.delete(root.resolve("hello.txt"));
        assertEquals(404, status("/hello.txt"));
        Files.createDirectories(root.resolve("hello.txt"));
        assertEquals("/hello.txt/", assertInstanceOf(HttpPathResolver.Redirect.class,
                resolver.resolve("/hello.txt")).location());
    }

    @Test
    void pathsSharingATableSlotResolveEachToItsOwnFile() {
        Path real;
        try {
            real = root.toRealPath();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        // twice as many distinct raw paths as the table has slots, so that many share one
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 2 * HttpPathResolver.CACHED_PATHS; i++) {
                String prefix = "/" + "./".repeat(i % 50) + "x/../".repeat(i / 50);
                assertEquals(real.resolve(i % 2 == 0 ? "hello.txt" : "sub/index.html"),
                        found(prefix + (i % 2 == 0 ? "hello.txt" : "sub/")), prefix);
                assertEquals(404, status(prefix + "missing"), prefix);
            }
        }
    }

    @Test
    void specialFilesAreNotServed() throws Exception {
        Process p = new ProcessBuilder("mkfifo", root.resolve("fifo").toString()).start();
        assertEquals(0, p.waitFor());
        assertEquals(403, status("/fifo"));
    }

    @Test
    void rootMustBeAnExistingDirectory() {
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> new HttpPathResolver(base.resolve("nope")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        assertThrows(NotDirectoryException.class, () -> new HttpPathResolver(base.resolve("secret.txt")));
    }
}
