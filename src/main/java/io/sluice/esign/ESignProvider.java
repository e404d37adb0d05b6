package io.sluice.esign;

import io.sluice.esign.callback.CallbackEvent;

import java.util.function.Consumer;

/** One e-signature provider's API: send from a template, status, void, download. */
public interface ESignProvider {

    /** {@code docusign}, {@code dropboxsign} or {@code pandadoc}: {@code ESIGN_PROVIDER}, and the callback path. */
    String name();

    /**
     * Sends the contract from its template to its signers and answers the provider's id for it. A provider that
     * creates first and sends later (PandaDoc) reports the id through {@code created} as soon as it exists, and is
     * called again with that id in {@link Contract#providerId()} if a later step failed, so it never creates twice.
     *
     * @throws ESignException retryable when waiting can help; {@link ESignRejectedException} when it cannot
     */
    String send(Contract contract, Consumer<String> created);

    /** Whatever must follow a send in a second call (Dropbox Sign sets the expiry after sending); repeated on failure. */
    default void afterSend(Contract contract) {
    }

    /** The contract as the provider sees it now. */
    ProviderStatus status(String providerId);

    /** Voids a sent contract; {@code REQUESTED} when the provider confirms later, by a callback. */
    VoidOutcome voidContract(Contract contract, String reason);

    /** The document (signed, when completed) as a PDF. */
    ProviderDocument download(String providerId);

    /**
     * The event as far as the provider confirms it, before Sluice acts on it; null when it does not. Providers whose
     * callback signature covers the whole body trust it as it is.
     */
    default CallbackEvent confirm(Contract contract, CallbackEvent event) {
        return event;
    }

    /** How a void ended. */
    enum VoidOutcome { CONFIRMED, REQUESTED }
}
