package io.sluice.mapping;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Sluice's rule from a Whop membership's status (and cancel_at_period_end) to one of five stages (docs/mappings.md). */
class MembershipStageRuleTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}, cancel at period end {1} -> {2}")
    @CsvSource({
            "trialing,  false, trial",
            "active,    false, won",
            "active,    true,  at_risk",
            "completed, false, won",
            "completed, true,  at_risk",
            "canceling, false, at_risk",
            "past_due,  false, at_risk",
            "canceled,  false, lost",
            "expired,   true,  lost",
            "drafted,   false, open",
            "unresolved, false, open",
            // a status Whop adds later is kept open, never an error
            "paused_by_a_future_release, false, open"})
    void eachStatusHasItsStage(String status, boolean cancelAtPeriodEnd, String stage) throws Exception {
        var membership = JSON.readTree("{\"status\":\"" + status + "\",\"cancel_at_period_end\":" + cancelAtPeriodEnd + "}");
        assertThat(MembershipStageRule.stageOf(membership)).isEqualTo(stage);
        assertThat(MembershipStageRule.STAGES).contains(stage);
    }

    @Test
    void aMembershipWithoutAUsableStatusIsOpenAndAnUnreadableFlagCountsAsNotCancelling() throws Exception {
        assertThat(MembershipStageRule.stageOf(JSON.readTree("{}"))).isEqualTo(MembershipStageRule.OPEN);
        assertThat(MembershipStageRule.stageOf(JSON.readTree("{\"status\":null}"))).isEqualTo(MembershipStageRule.OPEN);
        assertThat(MembershipStageRule.stageOf(JSON.readTree("{\"status\":\"active\",\"cancel_at_period_end\":\"yes\"}")))
                .isEqualTo(MembershipStageRule.WON);
    }
}
