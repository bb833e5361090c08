package io.proactor.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The parser on its own: pure bytes in, requests or statuses out. */
class HttpRequestParserTest {

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static List<HttpRequest> parseAll(HttpRequestParser parser, String text) throws HttpParseException {
        List<HttpRequest> out = new ArrayList<>();
        ByteBuffer in = bytes(text);
        HttpRequest r;
        while ((r = parser.parse(in)) != null) {
            out.add(r);
        }
        return out;
    }

    private static int status(String text) {
        HttpParseException e = assertThrows(HttpParseException.class, () -> parseAll(new HttpRequestParser(), text));
        return e.status();
    }

    @Test
    void parsesRequestLineAndHeaders() throws Exception {
        HttpRequest r = parseAll(new HttpRequestParser(),
                "GET /a/b%20c?x=1 HTTP/1.1\r\nHost: example\r\nX-Spaces: \t padded value \t\r\nACCEPT: */*\r\n\r\n").get(0);
        assertEquals("GET", r.method());
        assertEquals("/a/b%20c?x=1", r.target());
        assertEquals("/a/b%20c", r.rawPath());
        assertEquals("?x=1", r.rawQuery());
        assertEquals(1, r.minorVersion());
        assertEquals("padded value", r.header("x-spaces"));
        assertEquals("*/*", r.header("Accept"));
        assertEquals(List.of("host", "x-spaces", "accept"), r.headers().stream().map(HttpRequest.Header::name).toList());
        assertTrue(r.keepAlive());
    }

    @Test
    void everySplitOfTheInputGivesTheSameRequests() throws Exception {
        String text = "\r\nGET /one HTTP/1.1\r\nHost: h\r\n\r\nPOST /two HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcde"
                + "HEAD /three HTTP/1.0\nConnection: keep-alive\n\n";
        byte[] all = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 0; split <= all.length; split++) {
            HttpRequestParser parser = new HttpRequestParser();
            List<HttpRequest> got = new ArrayList<>();
            for (ByteBuffer piece : List.of(ByteBuffer.wrap(all, 0, split), ByteBuffer.wrap(all, split, all.length - split))) {
                HttpRequest r;
                while ((r = parser.parse(piece)) != null) {
                    got.add(r);
                }
            }
            assertEquals(List.of("/one", "/two", "/three"), got.stream().map(HttpRequest::target).toList(), "split at " + split);
            assertEquals(5, got.get(1).contentLength());
            assertEquals(0, got.get(2).minorVersion());
            assertTrue(got.get(2).keepAlive(), "HTTP/1.0 with keep-alive");
            assertFalse(parser.inProgress());
        }
    }

    @Test
    void inProgressFromTheFirstByteOfAHead() throws Exception {
        HttpRequestParser parser = new HttpRequestParser();
        assertFalse(parser.inProgress());
        assertNull(parser.parse(bytes("G")));
        assertTrue(parser.inProgress());
        assertNull(parser.parse(bytes("ET / HTTP/1.1\r\nHost: h\r\n")));
        assertNotNull(parser.parse(bytes("\r\n")));
        assertFalse(parser.inProgress());
    }

    @Test
    void connectionOptions() throws Exception {
        assertFalse(parseAll(new HttpRequestParser(), "GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, CLOSE\r\n\r\n").get(0).keepAlive());
        assertFalse(parseAll(new HttpRequestParser(), "GET / HTTP/1.0\r\n\r\n").get(0).keepAlive());
        assertEquals(1, parseAll(new HttpRequestParser(), "GET / HTTP/1.9\r\nHost: h\r\n\r\n").get(0).minorVersion());
    }

    @Test
    void absoluteFormPath() throws Exception {
        HttpRequest r = parseAll(new HttpRequestParser(), "GET http://h:8080/x/y?q HTTP/1.1\r\nHost: h\r\n\r\n").get(0);
        assertEquals("/x/y", r.rawPath());
        assertEquals("/", parseAll(new HttpRequestParser(), "GET http://h?q HTTP/1.1\r\nHost: h\r\n\r\n").get(0).rawPath());
    }

    /** The in-place view the server reads agrees with the copy's String logic on paths, queries and keep-alive. */
    @ParameterizedTest
    @ValueSource(strings = {
        "GET /a/b%20c?x=1 HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: h\r\nConnection: upgrade, \tclose \r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: h\r\nconnection: ,keep-alive,\r\nCONNECTION: Close\r\n\r\n",
        "HEAD http://h:8080/x/y?q HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET HTTPS://h?q/z HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET http://h HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /q?a?b HTTP/1.1\r\nHost: h\r\n\r\n",
    })
    void theViewReadsAsTheCopyDoes(String text) throws Exception {
        HttpRequestParser parser = new HttpRequestParser();
        assertTrue(parser.next(bytes(text)));
        HttpRequestView view = parser.view();
        HttpRequest copy = view.toRequest();
        int from = view.pathFrom();
        String path = from < 0 ? "/" : new String(view.bytes, from, view.pathTo(from) - from, StandardCharsets.US_ASCII);
        assertEquals(copy.rawPath(), path);
        assertEquals(copy.rawQuery(), view.rawQuery());
        assertEquals(copy.keepAlive(), view.keepAlive());
        assertEquals(copy.method(), view.method());
        assertTrue(view.methodIs(copy.method()));
        assertEquals(copy.header("host"), view.value("host"));
    }

    @Test
    void limits() {
        assertEquals(414, status("GET /" + "a".repeat(HttpRequestParser.DEFAULT_MAX_REQUEST_LINE) + " HTTP/1.1\r\n"));
        assertEquals(431, status("GET / HTTP/1.1\r\nHost: h\r\nX: " + "v".repeat(HttpRequestParser.DEFAULT_MAX_HEADER_SECTION) + "\r\n"));
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\n");
        while (many.length() < 20_000) {
            many.append("A: b\r\n");
        }
        assertEquals(431, status(many.toString()));
        assertEquals(400, status("\r\n".repeat(HttpRequestParser.DEFAULT_MAX_REQUEST_LINE)));
        assertEquals(413, status("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1048577\r\n\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n",          // bare CR
        "GET / HTTP/1.1\r\nHost: h\r\nX:\u0001\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n\tfolded\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n: novalue\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nBad Name: v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET / http/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/11\r\nHost: h\r\n\r\n",
        "GET * HTTP/1.1\r\nHost: h\r\n\r\n",
        " GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET /\u00e9 HTTP/1.1\r\nHost: h\r\n\r\n"})
    void malformedRequestsAre400(String request) {
        assertEquals(400, status(request));
    }

    @Test
    void otherStatuses() {
        assertEquals(505, status("GET / HTTP/2.0\r\nHost: h\r\n\r\n"));
        assertEquals(501, status("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"));
    }

    @Test
    void aFailedParserRefusesToContinue() {
        HttpRequestParser parser = new HttpRequestParser();
        assertThrows(HttpParseException.class, () -> parser.parse(bytes("BAD\r\n")));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> parser.parse(bytes("GET / HTTP/1.1\r\n")));
        assertTrue(e.getMessage().contains("close the connection"));
    }

    @Test
    void constructorValidatesLimits() {
        assertThrows(IllegalArgumentException.class, () -> new HttpRequestParser(8, 100, 0));
        assertThrows(IllegalArgumentException.class, () -> new HttpRequestParser(100, 100, -1));
    }

    /** A cheap stand-in for the fuzzing of issue 7: random and mutated input ends in a request, null or a status. */
    @Test
    void randomInputOnlyEverEndsInARequestNullOrAStatus() {
        Random random = new Random(42);
        byte[] seed = "GET /a?b HTTP/1.1\r\nHost: h\r\nRange: bytes=1-2\r\nContent-Length: 3\r\n\r\nxyz".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 20_000; i++) {
            byte[] input = seed.clone();
            for (int m = random.nextInt(4); m >= 0; m--) {
                input[random.nextInt(input.length)] = (byte) random.nextInt(256);
            }
            HttpRequestParser parser = new HttpRequestParser(64, 128, 16);
            try {
                ByteBuffer in = ByteBuffer.wrap(input);
                while (parser.parse(in) != null) {
                    assertTrue(in.position() <= input.length);
                }
            } catch (HttpParseException e) {
                assertTrue(List.of(400, 413, 414, 431, 501, 505).contains(e.status()), "status " + e.status());
            }
        }
    }
}
