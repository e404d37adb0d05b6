package io.sluice.esign;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A step in a contract's life as a provider reports it, and the status it brings the contract to. */
public enum ContractStep {
    SENT(ContractStatus.SENT, "sent"),
    VIEWED(ContractStatus.VIEWED, "viewed"),
    SIGNED(ContractStatus.SIGNING, "signed"),
    COMPLETED(ContractStatus.COMPLETED, "completed"),
    DECLINED(ContractStatus.DECLINED, "declined"),
    VOIDED(ContractStatus.VOIDED, "voided"),
    EXPIRED(ContractStatus.EXPIRED, "expired");

    private final ContractStatus status;
    private final String word;

    ContractStep(ContractStatus status, String word) {
        this.status = status;
        this.word = word;
    }

    public ContractStatus status() {
        return status;
    }

    /** The lower-case name used in event types ({@code contract.signed}), note keys and configuration. */
    public String word() {
        return word;
    }

    /** True when this step moves a contract in {@code current} forward; a late report of an earlier step does not. */
    public boolean advances(ContractStatus current) {
        return !current.terminal() && status.rank() > current.rank();
    }

    public static ContractStep named(String word) {
        for (ContractStep step : values()) {
            if (step.word.equals(word.toLowerCase(Locale.ROOT))) {
                return step;
            }
        }
        return null;
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(ContractStep::word).toList();
    }
}
