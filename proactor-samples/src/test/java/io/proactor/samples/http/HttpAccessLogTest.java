package io.proactor.samples.http;

import static io.proactor.samples.http.HttpTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.protocol.ThreadingModel;
import io.proactor.samples.http.HttpTestSupport.RawClient;
import io.proactor.tests.LeakCheck;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One access-log line per request when turned on, none when off. slf4j-simple writes to the current
 * {@code System.err}, which the test captures; the build sets the access logger to INFO for the tests.
 */
@Timeout(60)
class HttpAccessLogTest {

    static {
        HttpTestSupport.probeEngines();
    }

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @TempDir
    Path base;

    private List<String> accessLines(boolean accessLog) throws Exception {
        HttpServerConfig config = HttpServerConfig.of(HttpTestSupport.tree(base.resolve(String.valueOf(accessLog)), 10))
                .withAccessLog(accessLog);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (HttpFileServer server = HttpTestSupport.start("nio2", ThreadingModel.SINGLE, config);
             RawClient client = new RawClient(server)) {
            client.request(get("/hello.txt"));
            client.request(get("/missing?q=1"));
            client.request("HEAD /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
            client.send("BAD\r\n\r\n").read();
            client.assertClosedByServer();
        } finally {
            System.setErr(saved);
        }
        return captured.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains(HttpFileServer.ACCESS_LOGGER)).toList();
    }

    @Test
    void oneLinePerRequestWhenOn() throws Exception {
        List<String> lines = accessLines(true);
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).endsWith("\"GET /hello.txt HTTP/1.1\" 200 " + HttpTestSupport.HELLO.length), lines.get(0));
        assertTrue(lines.get(1).endsWith("\"GET /missing?q=1 HTTP/1.1\" 404 14"), lines.get(1));
        assertTrue(lines.get(2).endsWith("\"HEAD /hello.txt HTTP/1.1\" 200 0"), lines.get(2));
        assertTrue(lines.get(3).endsWith("\"-\" 400 16"), lines.get(3));
        assertTrue(lines.get(0).contains("127.0.0.1"), lines.get(0));
    }

    @Test
    void silentWhenOff() throws Exception {
        assertEquals(List.of(), accessLines(false));
    }
}
