package io.proactor.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The byte-level date writer and reader agree with {@code java.time} on every kind of date. */
class HttpDatesTest {

    private static final DateTimeFormatter REFERENCE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    /** Leap days, century rules, the epoch, before it, and years 0 and 9999 at the ends of the fast path. */
    private static final long[] EDGES = {
        0, -1, 86_399, 86_400, 951_782_400L /* 2000-02-29 */, 4_107_542_399L /* 2100-02-28 23:59:59 */,
        4_107_542_400L /* 2100-03-01 */, -2_208_988_800L /* 1900-01-01 */, -62_167_219_200L /* 0000-01-01 */,
        253_402_300_799L /* 9999-12-31 23:59:59 */, 1_764_500_000L
    };

    private static final long YEAR_1 = -62_135_596_800L;

    @Test
    void formatsAsJavaTimeDoes() {
        SplittableRandom random = new SplittableRandom(16);
        for (int i = 0; i < 200_000; i++) {
            long second = i < EDGES.length ? EDGES[i] : random.nextLong(-62_167_219_200L, 253_402_300_800L);
            String expected = REFERENCE.format(Instant.ofEpochSecond(second));
            assertEquals(expected, HttpDates.format(second), "second " + second);
            byte[] text = expected.getBytes(StandardCharsets.US_ASCII);
            long read = HttpDates.parse(text, 0, text.length);
            assertEquals(HttpDates.parse(expected), read, expected);
            if (second >= YEAR_1) { // java.time writes year 0 as year-of-era 1 (BC), which reads back as nothing
                assertEquals(second, read, expected);
            }
        }
    }

    @Test
    void yearsBeyondFourDigitsStillFormat() {
        long second = 253_402_300_800L; // 10000-01-01
        assertEquals(REFERENCE.format(Instant.ofEpochSecond(second)), HttpDates.format(second));
    }

    @Test
    void readsWhatTheStringParserReads() {
        String[] texts = {
            "Sun, 06 Nov 1994 08:49:37 GMT", "Mon, 06 Nov 1994 08:49:37 GMT" /* wrong weekday */,
            "Sun, 31 Nov 1994 08:49:37 GMT" /* no such day */, "Sun, 06 Nov 1994 24:49:37 GMT",
            "sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC", "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994", "Thu, 29 Feb 2024 00:00:00 GMT", "Fri, 29 Feb 2023 00:00:00 GMT", "", "x"
        };
        for (String t : texts) {
            byte[] b = t.getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(HttpDates.parse(t), HttpDates.parse(b, 0, b.length), t);
        }
        assertEquals(784_111_777L, HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT".getBytes(StandardCharsets.US_ASCII),
                0, 29));
    }
}
