package io.sluice.crm;

/** What became of one change in a batch write: its result, or the failure that stopped it (then it is retried alone). */
public record BatchOutcome(CrmWriteResult result, RuntimeException failure) {

    public static BatchOutcome of(CrmWriteResult result) {
        return new BatchOutcome(result, null);
    }

    public static BatchOutcome failed(RuntimeException failure) {
        return new BatchOutcome(null, failure);
    }

    public boolean succeeded() {
        return failure == null;
    }
}
