package io.sluice.esign;

import java.util.List;

/**
 * A request to send a contract, from the admin API or a send rule.
 *
 * @param origin  {@code api} or {@code rule:<name>}
 * @param onceKey makes the request once-only (see {@link Contract#onceKey()}); null for none
 */
public record NewContract(String templateId, List<Signer> signers, String subject, String message, Integer expiresInDays,
                          String membershipId, String personEmail, String origin, String onceKey) {
}
