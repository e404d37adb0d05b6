package io.sluice.crm;

import java.time.Instant;
import java.util.List;

/**
 * What a connector's check of its CRM found: whether the credential works and the CRM has every field, relation and
 * option the mapping writes. {@link Status#PROBLEM} is definite (the CRM said so) and holds events in the inbox
 * until a later check passes; {@link Status#UNREACHABLE} is not, and writes go on and retry as usual.
 */
public record CrmCheck(Status status, String reason, List<String> warnings, Instant checkedAt) {

    public enum Status { OK, PROBLEM, UNREACHABLE, NOT_CHECKED, PENDING }

    public static CrmCheck ok(List<String> warnings, Instant at) {
        return new CrmCheck(Status.OK, null, List.copyOf(warnings), at);
    }

    public static CrmCheck problem(String reason, Instant at) {
        return new CrmCheck(Status.PROBLEM, reason, List.of(), at);
    }

    public static CrmCheck unreachable(String reason, Instant at) {
        return new CrmCheck(Status.UNREACHABLE, reason, List.of(), at);
    }

    public static CrmCheck notChecked() {
        return new CrmCheck(Status.NOT_CHECKED, null, List.of(), null);
    }

    public static CrmCheck pending() {
        return new CrmCheck(Status.PENDING, "the first check of the CRM has not finished", List.of(), null);
    }

    /** The same result, dated when its check started (what a refusal's re-check is compared with). */
    public CrmCheck startedAt(Instant started) {
        return status == Status.NOT_CHECKED ? this : new CrmCheck(status, reason, warnings, started);
    }

    /** Writes would fail for a reason only the operator can fix, or the first check is still running. */
    public boolean holdsEvents() {
        return status == Status.PROBLEM || status == Status.PENDING;
    }

    public boolean healthy() {
        return status == Status.OK || status == Status.NOT_CHECKED;
    }
}
