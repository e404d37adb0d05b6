package io.sluice.esign;

/**
 * Where a contract is. Ranked: a status only ever moves to a higher rank, so a callback that arrives late (a "sent"
 * after "completed") never moves a contract back. The terminal ones end its life.
 */
public enum ContractStatus {
    /** Stored, waiting in the inbox to be sent (or held by the {@code esign} kill switch). */
    QUEUED(0),
    /** Created at the provider, not sent yet (PandaDoc, until its draft is ready). */
    CREATED(1),
    SENT(2),
    VIEWED(3),
    /** At least one signer signed; others have not yet. */
    SIGNING(4),
    /** A void was asked for and the provider confirms it later (Dropbox Sign). */
    VOID_REQUESTED(5),
    COMPLETED(9),
    DECLINED(9),
    VOIDED(9),
    EXPIRED(9),
    /** Voided before it was ever sent: nothing reached the provider. */
    CANCELED(9);

    private final int rank;

    ContractStatus(int rank) {
        this.rank = rank;
    }

    public int rank() {
        return rank;
    }

    public boolean terminal() {
        return rank == 9;
    }

    /** True once the provider holds the contract as sent (documents can be fetched, it can be voided there). */
    public boolean atProvider() {
        return rank >= SENT.rank && this != CANCELED;
    }
}
