package io.sluice.http;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void readsSecondsAndHttpDates() {
        assertThat(RetryAfter.parse(" 30 ", NOW)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse("+5", NOW)).isEqualTo(Duration.ofSeconds(5));
        assertThat(RetryAfter.parse("Sun, 01 Mar 2026 12:02:00 GMT", NOW)).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void prefersMillisecondsWhenBothAreSent() {
        assertThat(RetryAfter.parse("1500", "9", NOW)).isEqualTo(Duration.ofMillis(1500));
        assertThat(RetryAfter.parse("250.7", null, NOW)).isEqualTo(Duration.ofMillis(250));
        assertThat(RetryAfter.parse("soon", "9", NOW)).isEqualTo(Duration.ofSeconds(9)); // unreadable milliseconds: the seconds
    }

    @Test
    void aWaitOfZeroOrInThePastIsNoAnswerSoTheCallerBacksOff() {
        assertThat(RetryAfter.parse("0", NOW)).isNull();
        assertThat(RetryAfter.parse("-5", NOW)).isNull();
        assertThat(RetryAfter.parse("Sun, 01 Mar 2026 11:00:00 GMT", NOW)).isNull();
        assertThat(RetryAfter.parse("-20", null, NOW)).isNull();
        assertThat(RetryAfter.parse("0", "7", NOW)).isEqualTo(Duration.ofSeconds(7)); // zero milliseconds: the seconds
    }

    @Test
    void aHostileValueIsBoundedAndNeverOverflowsACaller() {
        assertThat(RetryAfter.parse("9223372036854775807", NOW)).isEqualTo(RetryAfter.LONGEST);
        assertThat(RetryAfter.parse("99999999999999999999999", NOW)).isEqualTo(RetryAfter.LONGEST);
        assertThat(RetryAfter.parse("-99999999999999999999999", NOW)).isNull();
        assertThat(RetryAfter.parse("1e300", null, NOW)).isEqualTo(RetryAfter.LONGEST);
        assertThat(RetryAfter.parse("Infinity", null, NOW)).isEqualTo(RetryAfter.LONGEST);
        assertThat(RetryAfter.parse("9223372036854775807", NOW).toMillis()).isEqualTo(RetryAfter.LONGEST.toMillis());
    }

    @Test
    void saysNothingWhenNothingReadable() {
        assertThat(RetryAfter.parse(null, null, NOW)).isNull();
        assertThat(RetryAfter.parse("", NOW)).isNull();
        assertThat(RetryAfter.parse("tomorrow", NOW)).isNull();
        assertThat(RetryAfter.parse("NaN", null, NOW)).isNull();
        assertThat(RetryAfter.parse("1.5", NOW)).isNull(); // seconds are whole
    }
}
