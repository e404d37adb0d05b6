package io.sluice.mapping;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The named transforms a mapping may use, on the values events carry (text, JSON numbers, nested objects). */
class TransformsTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void namesSplitAtTheFirstSpaceAndASingleNameHasNoLastName() {
        assertThat(Transforms.apply("firstName", "  Mary Ann Smith ")).isEqualTo("Mary");
        assertThat(Transforms.apply("lastName", "  Mary Ann Smith ")).isEqualTo("Ann Smith");
        assertThat(Transforms.apply("firstName", "Prince")).isEqualTo("Prince");
        assertThat(Transforms.apply("lastName", "Prince")).isEqualTo("");
    }

    @Test
    void amountsMoveBetweenMinorAndMajorUnitsExactly() {
        assertThat(Transforms.apply("minorToMajor", "1999")).isEqualTo(new BigDecimal("19.99"));
        assertThat(Transforms.apply("minorToMajor", json.getNodeFactory().numberNode(5))).isEqualTo(new BigDecimal("0.05"));
        assertThat(Transforms.apply("majorToMinor", new BigDecimal("19.99"))).isEqualTo(new BigDecimal("1999"));
        assertThatThrownBy(() -> Transforms.apply("minorToMajor", "12,00"))
                .isInstanceOf(MappingException.class).hasMessageContaining("'12,00' is not a number");
    }

    @Test
    void datesAreIsoTextOrUnixSeconds() {
        assertThat(Transforms.apply("date", "2026-01-20T14:03:11.000Z")).isEqualTo(Instant.parse("2026-01-20T14:03:11Z"));
        assertThat(Transforms.apply("date", new BigDecimal("1768917791"))).isEqualTo(Instant.ofEpochSecond(1768917791));
        assertThatThrownBy(() -> Transforms.apply("date", "next tuesday"))
                .isInstanceOf(MappingException.class).hasMessageContaining("is not a date");
    }

    @Test
    void textTransformsReadJsonValuesAsTheirTextAndPassNullThrough() throws Exception {
        assertThat(Transforms.apply("uppercase", json.readTree("\"usd\""))).isEqualTo("USD");
        assertThat(Transforms.apply("lowercase", " Dana@Example.COM")).isEqualTo(" dana@example.com");
        assertThat(Transforms.apply("trim", " x ")).isEqualTo("x");
        assertThat(Transforms.apply("string", new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(Transforms.apply("string", json.readTree("{\"a\":1}"))).isEqualTo("{\"a\":1}");
        for (String name : Transforms.names()) {
            assertThat(Transforms.apply(name, null)).as(name).isNull();
        }
    }

    @Test
    void theStageTransformNeedsTheMembershipObject() throws Exception {
        assertThat(Transforms.apply("membershipStage", json.readTree("{\"status\":\"trialing\"}"))).isEqualTo(MembershipStageRule.TRIAL);
        assertThatThrownBy(() -> Transforms.apply("membershipStage", json.readTree("\"active\"")))
                .isInstanceOf(MappingException.class).hasMessageContaining("membershipStage needs an object");
    }

    @Test
    void onlyKnownNamesExist() {
        assertThat(Transforms.exists("firstName")).isTrue();
        assertThat(Transforms.exists("FirstName")).isFalse();
        assertThat(Transforms.names()).contains("trim", "date", "membershipStage").doesNotContain("eval");
    }
}
