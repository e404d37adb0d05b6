package io.sluice.crm.odoo;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Odoo (docs/connectors/odoo.md): the JSON-2 API of Odoo 19+ ({@code json2}) or JSON-RPC {@code execute_kw} for older
 * releases ({@code jsonrpc}). Odoo has no upsert: partners are found by email and leads by {@code leadKeyField}
 * (a custom field created once), then written or created. No rate limit is published; the budget protects
 * the server's workers. {@code lostReasonId}, when set, is the {@code crm.lost.reason} a lost lead gets.
 *
 * @param url          the Odoo server; required with CRM_PROVIDER=odoo
 * @param db           the database; required with CRM_PROVIDER=odoo
 * @param username     the bot user's login, only for jsonrpc
 * @param api          json2 (Odoo 19+) or jsonrpc (execute_kw, Odoo 18 and older)
 * @param apiKey       the bot user's API key
 * @param maxRequests  request budget (shared by the replicas on one PostgreSQL), in any window of per
 * @param per          the window of max-requests
 * @param leadKeyField the custom lead field leads are found by
 * @param lostReasonId the crm.lost.reason id of leads Sluice marks lost
 */
@Validated
@ConfigurationProperties("sluice.crm.odoo")
public record OdooProperties(
        String url,
        String db,
        String username,
        String apiKey,
        @DefaultValue("json2") @NotNull Api api,
        @DefaultValue("20") @Min(1) int maxRequests,
        @DefaultValue("1s") @NotNull Duration per,
        @DefaultValue("x_whop_membership_id") @NotBlank String leadKeyField,
        Long lostReasonId) {

    /** Which Odoo API to call. */
    public enum Api { json2, jsonrpc }
}
