package io.proactor.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.SharedFile;
import io.proactor.protocol.ThreadingModel;
import io.proactor.samples.http.HttpTestSupport.RawClient;
import io.proactor.samples.http.HttpTestSupport.Response;
import io.proactor.tests.LeakCheck;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The resolver's open-file cache: within the validity interval a path is answered from memory (the same open
 * file, the same attributes, nothing checked), after it the path is checked again, and a file that was replaced,
 * truncated, deleted or made unreadable is seen as such; errors are trusted for a second at most; files the
 * cache forgets are closed once the last send of them ends. The unreadable case runs as an unprivileged user
 * ({@link HttpPermissionProbe}).
 */
@Timeout(60)
class HttpOpenFileCacheTest {

    static {
        HttpTestSupport.probeEngines();
    }

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @TempDir
    Path base;

    private final List<HttpPathResolver> resolvers = new ArrayList<>();

    @AfterEach
    void closeResolvers() {
        resolvers.forEach(HttpPathResolver::close);
    }

    private HttpPathResolver resolver(Duration validity) throws IOException {
        HttpPathResolver r = new HttpPathResolver(base, validity);
        resolvers.add(r);
        return r;
    }

    /** Resolves {@code path}; a file found comes with a reference the caller must release. */
    private static HttpPathResolver.Target resolve(HttpPathResolver resolver, String path, int expectedStatus) {
        HttpPathResolver.Target t = new HttpPathResolver.Target();
        byte[] raw = path.getBytes(StandardCharsets.US_ASCII);
        assertEquals(expectedStatus, resolver.resolve(raw, 0, raw.length, t), path);
        assertEquals(expectedStatus == 200, t.shared != null);
        return t;
    }

    private static String contents(SharedFile file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) file.size());
        while (b.hasRemaining() && file.channel().read(b, b.position()) > 0) {
            // positional reads: the shared channel's position is never moved
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(base.resolve(name), text);
    }

    /** Replaces {@code name} by a new file (a new inode), as a deploy does: written aside, renamed over it. */
    private void replace(String name, String text) throws IOException {
        Path aside = Files.writeString(base.resolve(name + ".new"), text);
        Files.move(aside, base.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void withinTheValidityAPathIsAnsweredFromMemory() throws Exception {
        write("a.txt", "first");
        HttpPathResolver resolver = resolver(Duration.ofHours(1));
        HttpPathResolver.Target first = resolve(resolver, "/a.txt", 200);
        SharedFile file = first.shared;
        HttpPathResolver.Target again = resolve(resolver, "/a.txt", 200);
        assertSame(file, again.shared, "the same open file");
        assertSame(first.attributes, again.attributes, "the attributes were not read again");
        assertEquals(3, file.references(), "the cache's and two callers'");
        Files.delete(base.resolve("a.txt"));
        HttpPathResolver.Target deleted = resolve(resolver, "/a.txt", 200);
        assertEquals("first", contents(deleted.shared), "a deleted file is served as it was within the validity");
        file.release();
        file.release();
        file.release();
        assertEquals(1, file.references());
    }

    @Test
    void aReplacedFileIsServedAsItWasUntilTheValidityEndsThenTheNewOne() throws Exception {
        write("a.txt", "old");
        HttpPathResolver resolver = resolver(Duration.ofMillis(300));
        SharedFile old = resolve(resolver, "/a.txt", 200).shared; // held, like a send in flight
        replace("a.txt", "new!");
        SharedFile within = resolve(resolver, "/a.txt", 200).shared;
        assertSame(old, within);
        assertEquals("old", contents(within));
        within.release();
        Thread.sleep(350);
        HttpPathResolver.Target after = resolve(resolver, "/a.txt", 200);
        assertNotSame(old, after.shared);
        assertEquals("new!", contents(after.shared));
        assertEquals(4, after.attributes.size());
        after.shared.release();
        assertTrue(old.isOpen(), "the cache let go, the send has not");
        assertEquals("old", contents(old), "the send still reads the file it started with");
        old.release();
        assertFalse(old.isOpen(), "closed when the last send ended");
    }

    @Test
    void aTruncatedFileIsReopenedWithItsNewSizeAfterTheValidity() throws Exception {
        Path a = write("a.txt", "0123456789");
        HttpPathResolver resolver = resolver(Duration.ofMillis(300));
        HttpPathResolver.Target before = resolve(resolver, "/a.txt", 200);
        before.shared.release();
        try (FileChannel c = FileChannel.open(a, StandardOpenOption.WRITE)) {
            c.truncate(4); // the same inode, shorter
        }
        assertEquals(10, resolve(resolver, "/a.txt", 200).attributes.size(), "within the validity: as it was");
        before.shared.release();
        Thread.sleep(350);
        HttpPathResolver.Target after = resolve(resolver, "/a.txt", 200);
        assertEquals(4, after.attributes.size());
        assertEquals("0123", contents(after.shared));
        assertNotSame(before.shared, after.shared, "a changed identity (size) opens the file again");
        assertFalse(before.shared.isOpen(), "the old descriptor is closed");
        after.shared.release();
    }

    @Test
    void aDeletedFileIsNotFoundAfterTheValidityAndItsDescriptorClosed() throws Exception {
        write("a.txt", "soon gone");
        HttpPathResolver resolver = resolver(Duration.ofMillis(300));
        SharedFile file = resolve(resolver, "/a.txt", 200).shared;
        file.release();
        Files.delete(base.resolve("a.txt"));
        Thread.sleep(350);
        resolve(resolver, "/a.txt", 404);
        assertFalse(file.isOpen(), "no descriptor kept for a deleted file");
    }

    @Test
    void errorsAreTrustedForOneSecondAtMost() throws Exception {
        HttpPathResolver resolver = resolver(Duration.ofHours(1));
        resolve(resolver, "/later.txt", 404);
        write("later.txt", "here now");
        resolve(resolver, "/later.txt", 404); // the error is remembered...
        Thread.sleep(HttpPathResolver.MAX_ERROR_VALIDITY_MILLIS + 50);
        HttpPathResolver.Target found = resolve(resolver, "/later.txt", 200); // ...for a second, not an hour
        assertEquals("here now", contents(found.shared));
        found.shared.release();
    }

    @Test
    void withZeroValidityEveryRequestChecksButAnUnchangedFileIsNotReopened() throws Exception {
        write("a.txt", "steady");
        HttpPathResolver resolver = resolver(Duration.ZERO);
        HttpPathResolver.Target first = resolve(resolver, "/a.txt", 200);
        HttpPathResolver.Target second = resolve(resolver, "/a.txt", 200);
        assertNotSame(first.attributes, second.attributes, "checked again");
        assertSame(first.shared, second.shared, "not reopened");
        replace("a.txt", "changed");
        HttpPathResolver.Target third = resolve(resolver, "/a.txt", 200);
        assertEquals("changed", contents(third.shared), "seen at the next request");
        first.shared.release();
        second.shared.release();
        third.shared.release();
        assertFalse(first.shared.isOpen());
    }

    @Test
    void pathsEvictedFromTheTableAndAClosedResolverCloseTheirFiles() throws Exception {
        write("a.txt", "many names");
        HttpPathResolver resolver = resolver(Duration.ofHours(1));
        List<SharedFile> files = new ArrayList<>();
        int names = 3 * HttpPathResolver.CACHED_PATHS;
        for (int i = 0; i < names; i++) {
            SharedFile f = resolve(resolver, "/" + "./".repeat(i % 40) + "/".repeat(i / 40) + "a.txt", 200).shared;
            files.add(f);
            f.release();
        }
        long open = files.stream().filter(SharedFile::isOpen).count();
        assertTrue(open > 0 && open <= HttpPathResolver.CACHED_PATHS,
                open + " of " + names + " names keep a file open: the table is bounded");
        resolver.close();
        assertEquals(0, files.stream().filter(SharedFile::isOpen).count(), "close() closes what the cache kept");
        HttpPathResolver.Target after = resolve(resolver, "/a.txt", 200); // still works, keeping nothing
        after.shared.release();
        assertFalse(after.shared.isOpen());
    }

    /**
     * The same over HTTP on every engine: a file replaced while cached is served as it was (body, length and
     * entity tag together) until the validity ends, then the new one; nothing leaks when the server closes.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void overHttpAReplacedFileIsServedAsItWasThenTheNewOne(String engine, ThreadingModel model) throws Exception {
        write("page.html", "version one");
        HttpServerConfig config = HttpServerConfig.of(base).withFileCacheValidity(Duration.ofMillis(500));
        try (HttpFileServer server = HttpTestSupport.start(engine, model, config);
             RawClient client = new RawClient(server)) {
            Response one = client.request(HttpTestSupport.get("/page.html"));
            assertEquals("version one", new String(one.body(), StandardCharsets.UTF_8));
            replace("page.html", "version two, longer");
            Response cached = client.request(HttpTestSupport.get("/page.html"));
            assertEquals("version one", new String(cached.body(), StandardCharsets.UTF_8));
            assertEquals(one.headers().get("etag"), cached.headers().get("etag"));
            Thread.sleep(550);
            Response two = client.request(HttpTestSupport.get("/page.html"));
            assertEquals("version two, longer", new String(two.body(), StandardCharsets.UTF_8));
            assertFalse(one.headers().get("etag").equals(two.headers().get("etag")));
        }
    }

    /**
     * Made unreadable while cached (and readable again): served for the validity, then 403; then, the error
     * trusted for a second at most, served again. Root reads any file, so the resolver runs as nobody, in
     * another process ({@link HttpPermissionProbe}).
     */
    @Test
    void aFileMadeUnreadableIsForbiddenAfterTheValidityAndServedAgainWhenReadable() throws Exception {
        Path a = write("a.txt", "private soon");
        try (HttpPermissionProbe probe = HttpPermissionProbe.start(base, Duration.ofMillis(1500))) {
            assertEquals(200, probe.status("/a.txt"));
            Files.setPosixFilePermissions(a, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
            assertEquals(200, probe.status("/a.txt"), "within the validity: served as it was");
            Thread.sleep(1600);
            assertEquals(403, probe.status("/a.txt"));
            Files.setPosixFilePermissions(a, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            assertEquals(403, probe.status("/a.txt"), "the error is trusted a moment");
            Thread.sleep(HttpPathResolver.MAX_ERROR_VALIDITY_MILLIS + 100);
            assertEquals(200, probe.status("/a.txt"));
        }
    }
}
