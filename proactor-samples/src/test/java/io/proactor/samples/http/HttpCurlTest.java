package io.proactor.samples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.protocol.ThreadingModel;
import io.proactor.tests.LeakCheck;
import io.proactor.tests.NeedsTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code curl} against the server, as a person would use it. A fresh machine may have no {@code curl}: the test
 * runs in the {@code system-tools} profile, which {@code .ci/run} enables after installing it.
 */
@Timeout(60)
@NeedsTools(value = "curl", install = "Debian: apt-get install curl")
class HttpCurlTest {

    static {
        HttpTestSupport.probeEngines();
    }

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @TempDir
    Path base;

    private static String curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "--silent", "--show-error", "--max-time", "20"));
        command.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertEquals(0, p.waitFor(), "curl " + String.join(" ", args) + ": " + out);
        return out;
    }

    @Test
    void curlGetsFilesRangesAndStatuses() throws Exception {
        Path root = HttpTestSupport.tree(base, 200_000);
        byte[] data = Files.readAllBytes(root.resolve("data.bin"));
        HttpServerConfig config = HttpServerConfig.of(root).withDirectIoThreshold(100_000);
        try (HttpFileServer server = HttpTestSupport.start("io_uring", ThreadingModel.SINGLE, config)) {
            String at = "http://127.0.0.1:" + server.localAddress().getPort();
            Path body = base.resolve("body");
            // several URLs on one connection (curl reuses it), each body to its own file
            String codes = curl("--write-out", "%{http_code} %{num_connects}\\n",
                    "-o", body + "1", at + "/data.bin", "-o", body + "2", at + "/hello.txt", "-o", body + "3", at + "/sub");
            assertEquals("200 1\n200 0\n301 0\n", codes, "three answers over one connection");
            assertArrayEquals(data, Files.readAllBytes(Path.of(body + "1")));
            assertArrayEquals(HttpTestSupport.HELLO, Files.readAllBytes(Path.of(body + "2")));

            assertEquals("sub index\n", curl("--location", at + "/sub"));
            assertArrayEquals(Arrays.copyOfRange(data, 1000, 1100),
                    curl("--range", "1000-1099", at + "/data.bin").getBytes(StandardCharsets.ISO_8859_1));
            String head = curl("--head", at + "/hello.txt");
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
            assertTrue(head.contains("\r\nContent-Length: " + HttpTestSupport.HELLO.length + "\r\n"), head);
            String etag = head.lines().filter(l -> l.startsWith("ETag: ")).findFirst().orElseThrow().substring(6);
            assertEquals("304", curl("--output", "/dev/null", "--write-out", "%{http_code}",
                    "--header", "If-None-Match: " + etag, at + "/hello.txt"));
            assertEquals("400", curl("--path-as-is", "--output", "/dev/null", "--write-out", "%{http_code}",
                    at + "/../secret.txt"));
            assertEquals("403", curl("--output", "/dev/null", "--write-out", "%{http_code}", at + "/link-outside.txt"));
            assertEquals("200", curl("--http1.0", "--output", "/dev/null", "--write-out", "%{http_code}", at + "/"));
        }
    }
}
