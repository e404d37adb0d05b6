package io.sluice.crm.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.crm.ChangeKeys;
import io.sluice.mapping.CrmChange;
import io.sluice.crm.CrmCheck;
import io.sluice.crm.CrmConnector;
import io.sluice.crm.CrmMetrics;
import io.sluice.crm.CrmRecordGoneException;
import io.sluice.crm.CrmRequirements;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmQuotaExhaustedException;
import io.sluice.crm.CrmRejectedException;
import io.sluice.crm.CrmWriteResult;
import io.sluice.crm.ChangeWrite;
import io.sluice.crm.CrmRecordWrites;
import io.sluice.crm.CrmWriteTemplate;
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
import java.util.Locale;
import java.util.Map;

/**
 * Writes to HubSpot (docs/connectors/hubspot.md): contacts by email and deals by the unique membership property
 * through batch upsert, the deal associated with the contact, notes created once (or upserted by a unique note
 * property) and associated with both. Stage values are resolved to the pipeline's stage ids. A 429 of the
 * {@code DAILY} policy pauses the {@code crm} target instead of retrying; a 207 (a batch input refused)
 * dead-letters the event with HubSpot's message. A remembered contact or note HubSpot no longer has (404) is found
 * again by email, or created again.
 */
@Component
@ConditionalOnProperty(name = "sluice.crm.provider", havingValue = "hubspot")
public class HubSpotConnector implements CrmConnector, CrmRecordWrites {

    static final String PROVIDER = "hubspot";
    /** Calls that name a remembered id: their 404 means HubSpot lost that record (deleted, or merged into another). */
    private static final java.util.Set<String> GONE_WHEN_404 = java.util.Set.of("deal.associate", "note.update", "note.associate");
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HubSpotConnector.class);
    public static final CrmFieldSchema SCHEMA = HubSpotRequests.SCHEMA;

    private final ApiHttpClient http;
    private final HubSpotRequests requests;
    private final HubSpotPipelines pipelines;
    private final CrmWriteVersions versions;
    private final HubSpotBatchWriter batches;
    private final HubSpotSchemaCheck schemaCheck;
    private final CrmWriteTemplate writeTemplate;
    private final io.micrometer.core.instrument.Counter refound;
    /** HubSpot's rolling window: a ten-secondly 429 without Retry-After waits this long. */
    private final Duration rollingLimitWait;

    public HubSpotConnector(HubSpotProperties hubspot, ApiHttpClients clients, CrmWriteVersions versions,
                            io.sluice.crm.CrmWriteLeases leases, ObjectMapper objectMapper, Clock clock,
                            io.micrometer.core.instrument.MeterRegistry registry, io.sluice.crm.PendingNoteLinks pendingLinks) {
        if (hubspot.accessToken() == null || hubspot.accessToken().isBlank()) {
            throw new IllegalArgumentException("sluice.crm.hubspot.access-token (HUBSPOT_ACCESS_TOKEN) is required with CRM_PROVIDER=hubspot");
        }
        String authorization = "Bearer " + hubspot.accessToken().trim();
        this.rollingLimitWait = hubspot.rollingLimitWait();
        this.http = clients.create("crm", io.sluice.crm.CrmFailures.INSTANCE, PROVIDER, () -> hubspot.baseUrl().toString(), () -> Map.of("Authorization", authorization),
                "HUBSPOT_ACCESS_TOKEN (a private app token with crm.objects.contacts.write and crm.objects.deals.write)",
                hubspot.maxRequests(), hubspot.per(), this::classify);
        String noteIdProperty = hubspot.noteIdProperty() == null || hubspot.noteIdProperty().isBlank() ? null : hubspot.noteIdProperty().trim();
        this.requests = new HubSpotRequests(objectMapper, hubspot.membershipIdProperty(), noteIdProperty);
        this.pipelines = new HubSpotPipelines(http, hubspot.pipeline(), hubspot.pipelineCacheTtl(), clock);
        this.versions = versions;
        this.batches = new HubSpotBatchWriter(http, requests, pipelines, this);
        this.schemaCheck = new HubSpotSchemaCheck(http, pipelines, hubspot.membershipIdProperty(), requests);
        this.refound = CrmMetrics.refound(registry, PROVIDER);
        this.writeTemplate = new CrmWriteTemplate(PROVIDER, versions, leases, pendingLinks);
    }

    @Override
    public CrmCheck check(CrmRequirements requirements) {
        return schemaCheck.run(requirements);
    }

    /** HubSpot's batch upserts take up to 100 inputs. */
    @Override
    public int batchSize() {
        return 100;
    }

    @Override
    public List<io.sluice.crm.BatchOutcome> applyBatch(List<CrmChange> changes) {
        return writeTemplate.applyBatch(changes, batches::write);
    }

    /** HubSpot's 429 names its policy: DAILY cannot heal before midnight (account time), TEN_SECONDLY_ROLLING soon. */
    CrmException classify(ApiRequest request, ApiResponse response) {
        if (response.status() == 404 && GONE_WHEN_404.contains(request.operation())) {
            return new CrmRecordGoneException("hubspot answered HTTP 404 to " + request.operation()
                    + ": a record Sluice remembered is gone from HubSpot" + ApiHttpClient.excerpt(response));
        }
        if (response.status() != 429) {
            return null;
        }
        String policy = response.json() == null ? "" : response.json().path("policyName").asText("");
        if ("DAILY".equals(policy.toUpperCase(Locale.ROOT))) {
            return new CrmQuotaExhaustedException("HubSpot's DAILY API limit is spent (" + request.operation()
                    + "); it resets at midnight in the HubSpot account's time zone. Lift the crm pause then");
        }
        Duration asked = http.retryAfter(response);
        Duration wait = asked == null ? rollingLimitWait : asked; // without one, the rolling window's length
        return new io.sluice.crm.CrmRateLimitedException("hubspot answered HTTP 429 (" + (policy.isEmpty() ? "rate limit" : policy)
                + ") to " + request.operation(), wait);
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
        return upsertedId(http.send(requests.contact(write.change().person(), write.email())), "contact.upsert");
    }

    @Override
    public String writeOpportunity(ChangeWrite write) {
        CrmChange change = write.change();
        Object stage = change.opportunity().get("dealstage");
        String[] pipelineAndStage = stage == null ? null : pipelines.resolve(stage.toString());
        String dealId = upsertedId(http.send(requests.deal(change.opportunity(), write.membershipId(), pipelineAndStage)), "deal.upsert");
        if (write.personId() != null) {
            try {
                http.send(requests.associateDealWithContact(dealId, write.personId()));
            } catch (CrmRecordGoneException contactGone) {
                refindContact(write);
                http.send(requests.associateDealWithContact(dealId, write.personId()));
            }
        }
        return dealId;
    }

    @Override
    public String writeNote(ChangeWrite write) {
        return sendNote(write.change(), write.noteKey(), write.rememberedNoteId(), write.personId(), write.noteOpportunityId());
    }

    @Override
    public boolean linksNotesLater() {
        return true;
    }

    /**
     * The contact HubSpot lost (deleted or merged) found again by its email: the upsert answers the id the email now
     * has. Only the email is sent when this change's person fields are older than what HubSpot last got.
     */
    private void refindContact(ChangeWrite write) {
        log.warn("HubSpot no longer has the contact remembered for event {}; finding it again by email", write.change().eventId());
        ApiResponse answer = http.send(requests.contact(write.personNewer() ? write.change().person() : Map.of(), write.email()));
        String id = upsertedId(answer, "contact.upsert");
        // "new": the contact was deleted and is created again now; false: merged into one that keeps its fields. An answer
        // that does not say counts as created again: the next change then writes the person fully, where a merge
        // taken wrongly would leave HubSpot without the fields an older change skips
        write.personFoundAgain(id, answer.json().path("results").path(0).path("new").asBoolean(true));
        refound.increment();
    }

    /**
     * Associates with this deal the notes written before it existed (a payment processed before its membership);
     * a note deleted in HubSpot meanwhile is skipped.
     */
    @Override
    public void linkWaitingNotes(String membershipId, String dealId, Map<String, String> noteIds) {
        noteIds.forEach((noteKey, noteId) -> {
            if (noteId == null) {
                return;
            }
            try {
                http.send(requests.associateNote(noteId, "deals", dealId));
            } catch (CrmRecordGoneException noteGone) {
                log.warn("HubSpot no longer has note {} waiting for membership {}'s deal; its link is dropped", noteId, membershipId);
            }
        });
    }

    /** The batch path's note: one whose membership has no deal yet waits to be associated when the deal is written. */
    String writeNote(CrmChange change, String noteKey, String knownId, String contactId, String dealId) {
        String noteId = sendNote(change, noteKey, knownId, contactId, dealId);
        String noteMembership = ChangeKeys.noteMembershipId(change);
        if (noteMembership != null && dealId == null) {
            writeTemplate.awaitOpportunity(noteKey, noteMembership);
        }
        return noteId;
    }

    /** Links to a deal the batch path just wrote the notes that waited for it. */
    void linkWaitingNotes(String membershipId, String dealId) {
        writeTemplate.linkWaitingNotes(this, membershipId, dealId);
    }

    private String sendNote(CrmChange change, String noteKey, String knownId, String contactId, String dealId) {
        if (knownId != null) {
            try {
                http.send(requests.updateNote(change.note(), noteKey, knownId, change.sourceUpdatedAt()));
                return knownId;
            } catch (CrmRecordGoneException noteGone) {
                log.warn("HubSpot no longer has note {} of {}; creating it again", knownId, noteKey);
                refound.increment();
            }
        }
        ApiResponse response = http.send(requests.createNote(change.note(), noteKey, change.sourceUpdatedAt(), contactId, dealId));
        if (!requests.upsertsNotes()) {
            JsonNode id = response.json().path("id");
            if (!id.isTextual() && !id.isNumber()) {
                throw new CrmException("hubspot answered note.create without an id", true, null);
            }
            return id.asText();
        }
        String noteId = upsertedId(response, "note.upsert");
        if (contactId != null) {
            http.send(requests.associateNote(noteId, "contacts", contactId));
        }
        if (dealId != null) {
            http.send(requests.associateNote(noteId, "deals", dealId));
        }
        return noteId;
    }

    /** The id of a one-input batch upsert; a 207 or an error in the batch refuses the record with HubSpot's words. */
    private static String upsertedId(ApiResponse response, String operation) {
        JsonNode json = response.json();
        if (response.status() == 207 || json.path("numErrors").asInt(0) > 0) {
            List<String> messages = new ArrayList<>();
            json.path("errors").forEach(e -> messages.add(e.path("message").asText(e.toString())));
            throw new CrmRejectedException("hubspot refused " + operation + " (HTTP " + response.status() + "): " + messages);
        }
        JsonNode id = json.path("results").path(0).path("id");
        if (!id.isTextual() && !id.isNumber()) {
            throw new CrmException("hubspot answered " + operation + " without results[0].id", true, null);
        }
        return id.asText();
    }

    @Override
    public List<Map<String, Object>> preview(CrmChange change) {
        List<Map<String, Object>> preview = new ArrayList<>();
        String email = ChangeKeys.email(change);
        if (email != null) {
            preview.add(requests.contact(change.person(), email).describe());
        }
        String membershipId = ChangeKeys.membershipId(change);
        if (membershipId != null) {
            Object stage = change.opportunity().get("dealstage");
            String[] pipelineAndStage = stage == null ? null : new String[]{"<id of pipeline " + "resolved at write time>",
                    "<id of stage '" + stage + "'>"};
            preview.add(requests.deal(change.opportunity(), membershipId, pipelineAndStage).describe());
            if (email != null) {
                preview.add(requests.associateDealWithContact("<deal id>", "<contact id>").describe());
            }
        }
        String noteKey = ChangeKeys.noteKey(change);
        if (noteKey != null) {
            preview.add(requests.createNote(change.note(), noteKey, change.sourceUpdatedAt(), email == null ? null : "<contact id>",
                    ChangeKeys.noteMembershipId(change) == null ? null : "<deal id>").describe());
        }
        return preview;
    }


}
