package io.proactor.samples.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.Year;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * HTTP dates (RFC 9110 section 5.6.7): written as IMF-fixdate; read in all three formats a recipient must
 * accept (IMF-fixdate, RFC 850, asctime). Dates are written into a response's bytes without allocating; the
 * {@code Date} field is formatted once per second.
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

    /** Length of an IMF-fixdate of a year from 1 to 9999: {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    static final int IMF_FIXDATE_LENGTH = 29;

    private static final byte[] DAY_NAMES = "SunMonTueWedThuFriSat".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MONTH_NAMES = "JanFebMarAprMayJunJulAugSepOctNovDec".getBytes(StandardCharsets.US_ASCII);

    /** The {@code Date} of responses sent during {@code second}: immutable once published. */
    private record Stamp(long second, byte[] text) {
    }

    private static volatile Stamp now = new Stamp(Long.MIN_VALUE, new byte[0]);

    private HttpDates() {
    }

    /** {@code epochSecond} as IMF-fixdate (for tests and rare paths; responses use {@link #formatInto}). */
    static String format(long epochSecond) {
        byte[] text = new byte[64];
        return new String(text, 0, formatInto(epochSecond, text, 0), StandardCharsets.US_ASCII);
    }

    /**
     * Writes {@code epochSecond} as IMF-fixdate into {@code dst} from {@code offset} (room for 64 bytes) and returns
     * the offset after it. Allocates nothing for years 1 to 9999, which have {@value #IMF_FIXDATE_LENGTH} bytes;
     * other years (a file time set far off) go through {@code DateTimeFormatter}.
     */
    static int formatInto(long epochSecond, byte[] dst, int offset) {
        long day = Math.floorDiv(epochSecond, 86_400);
        int secondOfDay = (int) Math.floorMod(epochSecond, 86_400);
        // days to civil date, proleptic Gregorian (the "days_from_civil" inverse of H. Hinnant's date algorithms)
        long z = day + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long shiftedMonth = (5 * dayOfYear + 2) / 153; // 0 = March
        int dayOfMonth = (int) (dayOfYear - (153 * shiftedMonth + 2) / 5 + 1);
        int month = (int) (shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        if (year < 1 || year > 9999) { // java.time writes year-of-era: year 0 is 1 BC, "0001"
            String text = IMF_FIXDATE.format(Instant.ofEpochSecond(epochSecond));
            for (int i = 0; i < text.length(); i++) {
                dst[offset + i] = (byte) text.charAt(i);
            }
            return offset + text.length();
        }
        int weekday = (int) Math.floorMod(day + 4, 7); // 1970-01-01 was a Thursday; 0 = Sunday
        int o = offset;
        o = copy(DAY_NAMES, weekday * 3, dst, o);
        dst[o++] = ',';
        dst[o++] = ' ';
        o = twoDigits(dayOfMonth, dst, o);
        dst[o++] = ' ';
        o = copy(MONTH_NAMES, (month - 1) * 3, dst, o);
        dst[o++] = ' ';
        o = twoDigits((int) (year / 100), dst, o);
        o = twoDigits((int) (year % 100), dst, o);
        dst[o++] = ' ';
        o = twoDigits(secondOfDay / 3600, dst, o);
        dst[o++] = ':';
        o = twoDigits(secondOfDay / 60 % 60, dst, o);
        dst[o++] = ':';
        o = twoDigits(secondOfDay % 60, dst, o);
        dst[o++] = ' ';
        dst[o++] = 'G';
        dst[o++] = 'M';
        dst[o++] = 'T';
        return o;
    }

    private static int copy(byte[] names, int from, byte[] dst, int offset) {
        dst[offset] = names[from];
        dst[offset + 1] = names[from + 1];
        dst[offset + 2] = names[from + 2];
        return offset + 3;
    }

    private static int twoDigits(int value, byte[] dst, int offset) {
        dst[offset] = (byte) ('0' + value / 10);
        dst[offset + 1] = (byte) ('0' + value % 10);
        return offset + 2;
    }

    /**
     * The current date as IMF-fixdate, formatted at most once per second; the array is shared and must not be
     * changed.
     */
    static byte[] now() {
        long second = System.currentTimeMillis() / 1000;
        Stamp s = now;
        if (s.second != second) {
            byte[] text = new byte[64];
            s = new Stamp(second, Arrays.copyOf(text, formatInto(second, text, 0)));
            now = s;
        }
        return s.text;
    }

    /**
     * As {@link #parse(String)}, of the ISO-8859-1 text {@code text[from, to)}: an IMF-fixdate, what clients send
     * today, is read without allocating; the obsolete formats go through {@code parse(String)}.
     */
    static long parse(byte[] text, int from, int to) {
        long second = to - from == IMF_FIXDATE_LENGTH ? imfFixdate(text, from) : -1;
        return second >= 0 ? second : parse(new String(text, from, to - from, StandardCharsets.ISO_8859_1));
    }

    /** {@code Sun, 06 Nov 1994 08:49:37 GMT} at {@code at}, as a valid date with its right weekday, or -1. */
    private static long imfFixdate(byte[] t, int at) {
        int weekday = name(DAY_NAMES, t, at);
        int month = name(MONTH_NAMES, t, at + 8) + 1;
        int day = digits(t, at + 5, 2);
        int year = digits(t, at + 12, 4);
        int hour = digits(t, at + 17, 2);
        int minute = digits(t, at + 20, 2);
        int second = digits(t, at + 23, 2);
        if (weekday < 0 || month < 1 || day < 1 || year < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || t[at + 3] != ',' || t[at + 4] != ' ' || t[at + 7] != ' '
                || t[at + 11] != ' ' || t[at + 16] != ' ' || t[at + 19] != ':' || t[at + 22] != ':'
                || t[at + 25] != ' ' || t[at + 26] != 'G' || t[at + 27] != 'M' || t[at + 28] != 'T'
                || day > Month.of(month).length(Year.isLeap(year))) {
            return -1; // let the general parser decide, as before
        }
        // civil date to days (H. Hinnant's days_from_civil)
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        long days = era * 146_097 + dayOfEra - 719_468;
        if (Math.floorMod(days + 4, 7) != weekday) {
            return -1;
        }
        return days * 86_400 + hour * 3600L + minute * 60L + second;
    }

    /** Index of the three-letter name at {@code t[at]} in {@code names}, or -1. */
    private static int name(byte[] names, byte[] t, int at) {
        for (int i = 0; i < names.length; i += 3) {
            if (names[i] == t[at] && names[i + 1] == t[at + 1] && names[i + 2] == t[at + 2]) {
                return i / 3;
            }
        }
        return -1;
    }

    private static int digits(byte[] t, int at, int n) {
        int value = 0;
        for (int i = at; i < at + n; i++) {
            if (t[i] < '0' || t[i] > '9') {
                return -1;
            }
            value = value * 10 + (t[i] - '0');
        }
        return value;
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
