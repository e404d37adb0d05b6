package io.sluice.crm.zoho;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.crm.ChangeKeys;
import io.sluice.mapping.CrmChange;
import io.sluice.crm.CrmCheck;
import io.sluice.crm.CrmConnector;
import io.sluice.crm.CrmRequirements;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmQuotaExhaustedException;
import io.sluice.crm.CrmRejectedException;
import io.sluice.crm.CrmWriteResult;
import io.sluice.crm.ChangeWrite;
import io.sluice.crm.CrmRecordWrites;
import io.sluice.crm.CrmWriteTemplate;
import io.sluice.crm.PendingNoteLinks;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiHttpClients;
import io.sluice.http.ApiRequest;
import io.sluice.http.ApiResponse;
import io.sluice.mapping.CrmFieldSchema;
import io.sluice.crm.CrmWriteVersions;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes to Zoho CRM (docs/connectors/zoho.md): Contacts by email and Deals by the membership field with explicit
 * duplicate-check fields, the deal linked to the contact, Notes created once under the deal and updated by id.
 * Per-record errors in Zoho's answers dead-letter the event with Zoho's code and message.
 */
@Component
@ConditionalOnProperty(name = "sluice.crm.provider", havingValue = "zoho")
public class ZohoConnector implements CrmConnector, CrmRecordWrites {

    static final String PROVIDER = "zoho";
    public static final CrmFieldSchema SCHEMA = ZohoRequests.SCHEMA;

    private final ApiHttpClient http;
    private final ZohoTokens tokens;
    private final ZohoRequests requests;
    private final CrmWriteVersions versions;
    private final CrmWriteTemplate writeTemplate;
    private final Duration limitWait;
    private final ZohoBatchWriter batches;
    private final ZohoSchemaCheck schemaCheck;

    public ZohoConnector(ZohoProperties zoho, ApiHttpClients clients, CrmWriteVersions versions,
                         io.sluice.crm.CrmWriteLeases leases, PendingNoteLinks pendingLinks, ObjectMapper objectMapper, Clock clock) {
        for (String[] required : new String[][]{{zoho.clientId(), "ZOHO_CLIENT_ID"}, {zoho.clientSecret(), "ZOHO_CLIENT_SECRET"},
                {zoho.refreshToken(), "ZOHO_REFRESH_TOKEN"}}) {
            if (required[0] == null || required[0].isBlank()) {
                throw new IllegalArgumentException(required[1] + " is required with CRM_PROVIDER=zoho");
            }
        }
        this.limitWait = zoho.limitWait();
        ApiHttpClient accounts = clients.createAuthServer("crm", io.sluice.crm.CrmFailures.INSTANCE, PROVIDER, () -> zoho.accountsUrl().toString(), Map::of,
                "ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_ACCOUNTS_URL", zoho.maxRequests(), zoho.per());
        this.tokens = new ZohoTokens(accounts, zoho, clock);
        this.http = clients.create("crm", io.sluice.crm.CrmFailures.INSTANCE, PROVIDER, tokens::apiBase,
                () -> Map.of("Authorization", "Zoho-oauthtoken " + tokens.accessToken()),
                "ZOHO_REFRESH_TOKEN and the scopes ZohoCRM.modules.contacts.ALL, ZohoCRM.modules.deals.ALL, ZohoCRM.modules.notes.ALL",
                zoho.maxRequests(), zoho.per(), this::classify);
        this.requests = new ZohoRequests(objectMapper, zoho.apiVersion(), zoho.membershipIdField(), zoho.runWorkflows());
        this.versions = versions;
        this.writeTemplate = new CrmWriteTemplate(PROVIDER, versions, leases, pendingLinks);
        this.batches = new ZohoBatchWriter(http, requests, this);
        this.schemaCheck = new ZohoSchemaCheck(http, tokens, zoho.apiVersion(), zoho.membershipIdField());
    }

    @Override
    public CrmCheck check(CrmRequirements requirements) {
        return schemaCheck.run(requirements);
    }

    /** Zoho's upsert takes up to 100 records per call. */
    @Override
    public int batchSize() {
        return 100;
    }

    @Override
    public List<io.sluice.crm.BatchOutcome> applyBatch(List<CrmChange> changes) {
        return writeTemplate.applyBatch(changes, batches::write);
    }

    /**
     * Zoho's 401 {@code INVALID_TOKEN} means the access token lapsed early: refresh and retry. Its 429 covers both the
     * concurrency limit (wait a minute) and spent 24-hour credits (pause): the remaining-credits header tells them
     * apart when Zoho sends it.
     */
    CrmException classify(ApiRequest request, ApiResponse response) {
        String code = response.json() == null ? "" : response.json().path("code").asText("");
        if (response.status() == 401 && "INVALID_TOKEN".equals(code)) {
            tokens.invalidate();
            return new CrmException("zoho said the access token is invalid (" + request.operation() + "); refreshing it", true, null);
        }
        if (response.status() == 429) {
            if ("0".equals(response.header("X-API-CREDITS-REMAINING"))) {
                return new CrmQuotaExhaustedException("Zoho's API credits for the rolling 24 hours are spent (" + request.operation()
                        + "); lift the crm pause when the API dashboard shows credits again");
            }
            return new io.sluice.crm.CrmRateLimitedException("zoho answered HTTP 429 (" + (code.isEmpty() ? "TOO_MANY_REQUESTS" : code)
                    + ") to " + request.operation(), limitWait);
        }
        return null;
    }

    @Override
    public String provider() {
        return PROVIDER;
    }

    @Override
    public CrmFieldSchema fieldSchema() {
        return SCHEMA;
    }

    @Override
    public CrmWriteResult apply(CrmChange change) {
        return writeTemplate.apply(change, this);
    }

    @Override
    public String writePerson(ChangeWrite write) {
        CrmChange change = write.change();
        return upsert(() -> requests.contact(change.person(), write.email(), false), () -> requests.contact(change.person(), write.email(), true),
                "contact.upsert");
    }

    @Override
    public String writeOpportunity(ChangeWrite write) {
        CrmChange change = write.change();
        return upsert(() -> requests.deal(change.opportunity(), write.membershipId(), write.personId(), null),
                () -> requests.deal(change.opportunity(), write.membershipId(), write.personId(), change.sourceUpdatedAt()), "deal.upsert");
    }

    @Override
    public String writeNote(ChangeWrite write) {
        return writeNote(write.change(), write.rememberedNoteId(), write.personId(), write.noteOpportunityId());
    }

    /** Updates a remembered note, or creates it on the membership's deal (or, without one, on the contact). */
    String writeNote(CrmChange change, String knownId, String contactId, String dealId) {
        if (knownId != null) {
            recordId(http.send(requests.updateNote(change.note(), knownId)), "note.update");
            return knownId;
        }
        if (dealId == null && contactId == null) {
            throw new CrmRejectedException("zoho note " + ChangeKeys.noteKey(change)
                    + " has neither a deal nor a contact to belong to (no email mapped)");
        }
        return recordId(http.send(dealId != null ? requests.createNote(change.note(), "Deals", dealId)
                : requests.createNote(change.note(), "Contacts", contactId)), "note.create");
    }

    /**
     * Upserts without stand-ins for Zoho's mandatory fields first: on an update they would overwrite real values
     * (a last name, a closing date). Only when Zoho answers that the record is new and lacks one
     * ({@code MANDATORY_NOT_FOUND}) is it sent again with them.
     */
    private String upsert(java.util.function.Supplier<ApiRequest> plain, java.util.function.Supplier<ApiRequest> withStandIns,
                          String operation) {
        ApiRequest first = plain.get();
        ApiRequest second = withStandIns.get();
        try {
            return recordId(http.send(first), operation);
        } catch (CrmRejectedException e) {
            if (!e.getMessage().contains("MANDATORY_NOT_FOUND") || second.body().equals(first.body())) {
                throw e;
            }
            return recordId(http.send(second), operation);
        }
    }

    /** The record id of Zoho's per-record answer; a per-record error refuses the record with Zoho's words. */
    private static String recordId(ApiResponse response, String operation) {
        JsonNode record = response.json() == null ? null : response.json().path("data").path(0);
        if (record == null || record.isMissingNode()) {
            throw new CrmException("zoho answered " + operation + " without data[0]", true, null);
        }
        if (!"success".equalsIgnoreCase(record.path("status").asText())) {
            throw new CrmRejectedException("zoho refused " + operation + ": " + record.path("code").asText("error") + " "
                    + record.path("message").asText("") + " " + record.path("details"));
        }
        JsonNode id = record.path("details").path("id");
        if (!id.isTextual() && !id.isNumber()) {
            throw new CrmException("zoho answered " + operation + " without details.id", true, null);
        }
        return id.asText();
    }

    @Override
    public List<Map<String, Object>> preview(CrmChange change) {
        List<Map<String, Object>> preview = new ArrayList<>();
        String email = ChangeKeys.email(change);
        if (email != null) {
            preview.add(requests.contact(change.person(), email, false).describe());
        }
        String membershipId = ChangeKeys.membershipId(change);
        if (membershipId != null) {
            preview.add(requests.deal(change.opportunity(), membershipId, email == null ? null : "<contact id>",
                    null).describe());
        }
        if (ChangeKeys.noteKey(change) != null) {
            preview.add(requests.createNote(change.note(), ChangeKeys.noteMembershipId(change) != null ? "Deals" : "Contacts",
                    "<parent id>").describe());
        }
        return preview;
    }


}
