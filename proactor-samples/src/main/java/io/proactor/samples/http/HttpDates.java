package io.proactor.samples.http;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;

/**
 * HTTP dates (RFC 9110 section 5.6.7): written as IMF-fixdate; read in all three formats a recipient must
 * accept (IMF-fixdate, RFC 850, asctime). The {@code Date} field is formatted once per second.
 */
final class HttpDates {

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter RFC_850 = new DateTimeFormatterBuilder()
            .appendPattern("EEEE, dd-MMM-")
            .appendValueReduced(ChronoField.YEAR, 2, 2, 1970) // RFC 9110: two-digit years, read as 1970..2069
            .appendPattern(" HH:mm:ss 'GMT'")
            .toFormatter(Locale.US);
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);
    private static final List<DateTimeFormatter> READ = List.of(RFC_850, ASCTIME);

    private record Stamp(long second, String text) {
    }

    private static volatile Stamp now = new Stamp(-1, "");
    private static volatile Stamp lastFormatted = new Stamp(Long.MIN_VALUE, "");

    private HttpDates() {
    }

    /**
     * {@code epochSecond} as IMF-fixdate. The last result is kept: a file's {@code Last-Modified} is the same on
     * every request for it, and formatting costs more than the rest of the response head.
     */
    static String format(long epochSecond) {
        Stamp s = lastFormatted;
        if (s.second != epochSecond) {
            s = new Stamp(epochSecond, imfFixdate(epochSecond));
            lastFormatted = s;
        }
        return s.text;
    }

    /** The current date as IMF-fixdate, reformatted at most once per second. */
    static String now() {
        long second = System.currentTimeMillis() / 1000;
        Stamp s = now;
        if (s.second != second) {
            s = new Stamp(second, imfFixdate(second));
            now = s;
        }
        return s.text;
    }

    private static String imfFixdate(long epochSecond) {
        return IMF_FIXDATE.format(Instant.ofEpochSecond(epochSecond));
    }

    /** Seconds since the epoch of an HTTP date, or {@code -1} if {@code text} is none (then it is ignored). */
    static long parse(String text) {
        try {
            return Instant.from(IMF_FIXDATE.parse(text)).getEpochSecond();
        } catch (DateTimeParseException e) {
            for (DateTimeFormatter f : READ) {
                try {
                    return LocalDateTime.parse(text, f).toEpochSecond(ZoneOffset.UTC);
                } catch (DateTimeParseException ignored) {
                    // try the next format
                }
            }
            return -1;
        }
    }
}
