package io.sluice.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * How long a provider asked Sluice to wait: {@code retry-after-ms} (milliseconds, as OpenAI and Whop may send) first,
 * then {@code Retry-After} in seconds or as an HTTP date (RFC 9110). The one reader of these headers for every
 * provider. A wait of zero or in the past (a date behind Sluice's clock) is no answer, like anything unreadable: the
 * caller's own backoff decides, rather than a retry at once. A wait longer than {@link #LONGEST} is taken as
 * {@code LONGEST} (a provider asking for more is asked again then, and no caller overflows on a hostile value).
 */
public final class RetryAfter {

    /** The longest wait read from a header. */
    public static final Duration LONGEST = Duration.ofDays(1);

    private RetryAfter() {
    }

    /**
     * @param millis  the {@code retry-after-ms} header, or null
     * @param seconds the {@code Retry-After} header, or null
     * @param now     the time to measure an HTTP date from
     * @return the wait (positive), or null when neither header says one
     */
    public static Duration parse(String millis, String seconds, Instant now) {
        Duration wait = millis == null ? null : bounded(millis(millis.trim()));
        if (wait == null && seconds != null) {
            wait = bounded(secondsOrDate(seconds.trim(), now));
        }
        return wait;
    }

    /** {@code Retry-After} alone. */
    public static Duration parse(String seconds, Instant now) {
        return parse(null, seconds, now);
    }

    private static Duration millis(String value) {
        try {
            double ms = Double.parseDouble(value);
            if (Double.isNaN(ms)) {
                return null;
            }
            return ms >= LONGEST.toMillis() ? LONGEST : Duration.ofMillis((long) Math.max(0, ms));
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    private static Duration secondsOrDate(String value, Instant now) {
        if (value.matches("[-+]?\\d+")) {
            try {
                return Duration.ofSeconds(Long.parseLong(value));
            } catch (NumberFormatException tooLong) {
                return value.startsWith("-") ? Duration.ZERO : LONGEST;
            }
        }
        try {
            return Duration.between(now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException notADate) {
            return null;
        }
    }

    private static Duration bounded(Duration wait) {
        if (wait == null || wait.isNegative() || wait.isZero()) {
            return null;
        }
        return wait.compareTo(LONGEST) > 0 ? LONGEST : wait;
    }
}
