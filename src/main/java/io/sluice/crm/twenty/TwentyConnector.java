package io.sluice.crm.twenty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.crm.BatchOutcome;
import io.sluice.crm.ChangeKeys;
import io.sluice.mapping.CrmChange;
import io.sluice.crm.CrmCheck;
import io.sluice.crm.CrmConnector;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmMetrics;
import io.sluice.crm.CrmRecordGoneException;
import io.sluice.crm.CrmRequirements;
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
import io.sluice.crm.PendingNoteLinks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes to Twenty (docs/connectors/twenty.md): people upserted by lower-cased email, opportunities and notes by
 * UUIDv5 ids from the Whop keys, notes linked to the person and the membership's opportunity with noteTargets (at
 * once, or when the opportunity is written later). Each object's row in {@code crm_write_version} is locked while
 * it is written, so an older change is recognised as stale and never overwrites a newer one. A remembered person
 * id that Twenty no longer knows is forgotten and the person found again by email.
 */
@Component
@ConditionalOnProperty(name = "sluice.crm.provider", havingValue = "twenty")
public class TwentyConnector implements CrmConnector, CrmRecordWrites {

    static final String PROVIDER = "twenty";
    public static final CrmFieldSchema SCHEMA = TwentyRequests.SCHEMA;
    private static final Logger log = LoggerFactory.getLogger(TwentyConnector.class);


    private final ApiHttpClient http;
    private final TwentyRequests requests;
    private final CrmWriteVersions versions;
    private final CrmWriteTemplate writeTemplate;
    private final TwentyBatchWriter batches;
    private final TwentySchemaCheck schemaCheck;
    private final Duration rateLimitWait;
    private final Counter healCounter;

    public TwentyConnector(TwentyProperties twenty, ApiHttpClients clients, CrmWriteVersions versions,
                           PendingNoteLinks pendingLinks, io.sluice.crm.CrmWriteLeases leases, ObjectMapper objectMapper,
                           MeterRegistry registry) {
        if (twenty.apiKey() == null || twenty.apiKey().isBlank()) {
            throw new IllegalArgumentException("sluice.crm.twenty.api-key (TWENTY_API_KEY) is required with CRM_PROVIDER=twenty");
        }
        String authorization = "Bearer " + twenty.apiKey().trim();
        this.rateLimitWait = twenty.rateLimitWait();
        this.healCounter = CrmMetrics.refound(registry, PROVIDER);
        this.http = clients.create("crm", io.sluice.crm.CrmFailures.INSTANCE, PROVIDER, () -> twenty.baseUrl().toString(), () -> Map.of("Authorization", authorization),
                "TWENTY_API_KEY", twenty.maxRequests(), twenty.per(), this::classify);
        this.requests = new TwentyRequests(objectMapper, twenty.noteTargetPersonField(), twenty.noteTargetOpportunityField());
        this.versions = versions;
        this.writeTemplate = new CrmWriteTemplate(PROVIDER, versions, leases, pendingLinks);
        this.batches = new TwentyBatchWriter(http, requests, pendingLinks);
        this.schemaCheck = new TwentySchemaCheck(http, objectMapper, twenty.noteTargetPersonField(), twenty.noteTargetOpportunityField());
    }

    /**
     * Twenty's own answers that the default reading gets wrong: its 429 carries no Retry-After (the bucket is the
     * workspace's, shared with every other client), a foreign-key violation means a record Sluice remembered is
     * gone, and a duplicate-email refusal of an upsert means a release without REST upsert.
     */
    private RuntimeException classify(ApiRequest request, ApiResponse response) {
        if (response.status() == 429) {
            Duration asked = http.retryAfter(response);
            Duration wait = asked != null ? asked : rateLimitWait;
            return new io.sluice.crm.CrmRateLimitedException("twenty answered HTTP 429 to " + request.operation()
                    + " (the workspace's request budget is spent"
                    + (asked == null ? "; Twenty names no wait, so Sluice waits out its window" : "") + ")"
                    + ApiHttpClient.excerpt(response), wait);
        }
        if (response.status() == 404 && request.operation().equals("person.read")) {
            return new CrmRecordGoneException("twenty has no person " + request.path().substring(request.path().lastIndexOf('/') + 1));
        }
        if (response.status() != 400) {
            return null;
        }
        String text = response.text();
        if (text.contains("violates foreign key constraint")) {
            return new CrmRecordGoneException("twenty refused " + request.operation()
                    + ": a record it points at no longer exists in Twenty" + ApiHttpClient.excerpt(response));
        }
        if (request.operation().startsWith("person.upsert") && (text.contains("A duplicate entry was detected") || text.contains("Duplicate Emails"))) {
            // a race with another writer of that email resolves itself; a release without REST upsert never does,
            // so the message says what to check once the retries are spent
            return new io.sluice.crm.CrmConflictException("twenty refused to upsert a person whose email it already holds ("
                    + request.operation() + "): another client may have created it at the same moment; if this repeats, this "
                    + "Twenty release has no REST upsert and Sluice needs " + TwentySchemaCheck.MINIMUM_VERSION
                    + ApiHttpClient.excerpt(response));
        }
        return null;
    }

    /** Up to 60 records per batch call: what Twenty's documentation promises for Cloud (self-hosted takes 200). */
    @Override
    public int batchSize() {
        return 60;
    }

    @Override
    public List<BatchOutcome> applyBatch(List<CrmChange> changes) {
        return writeTemplate.applyBatch(changes, batches::write);
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
    public CrmCheck check(CrmRequirements requirements) {
        return schemaCheck.run(requirements);
    }

    @Override
    public CrmWriteResult apply(CrmChange change) {
        return writeTemplate.apply(change, this);
    }

    @Override
    public String writePerson(ChangeWrite write) {
        return upsertPerson(write.change().person(), write.email());
    }

    @Override
    public String writeOpportunity(ChangeWrite write) {
        sendForPerson(write, id -> requests.opportunity(write.change().opportunity(), write.membershipId(), id));
        return TwentyRequests.opportunityId(write.membershipId());
    }

    @Override
    public String writeNote(ChangeWrite write) {
        String noteKey = write.noteKey();
        http.send(requests.note(write.change().note(), noteKey));
        String opportunity = write.noteOpportunityId();
        if (write.personId() != null || opportunity != null) {
            try {
                sendForPerson(write, id -> requests.noteTargets(noteKey, id, opportunity));
            } catch (CrmRecordGoneException opportunityGone) {
                // the person is fresh, so the opportunity is what Twenty lost: link the person now, the
                // opportunity when a change of the membership writes it again
                log.warn("Twenty no longer has the opportunity of membership {}; it is written again with the membership's next change",
                        write.noteMembershipId());
                write.noteOpportunityLost();
                if (write.personId() != null) {
                    http.send(requests.noteTargets(noteKey, write.personId(), null));
                }
            }
        }
        return TwentyRequests.noteId(noteKey);
    }

    @Override
    public boolean linksNotesLater() {
        return true;
    }

    /**
     * Links the notes written before this membership's opportunity existed; their noteTarget ids are fixed, so a
     * replay is harmless. A note deleted in Twenty meanwhile must not fail the opportunity's change: when Twenty
     * refuses the links together, each is sent alone and the ones whose note is gone are dropped.
     */
    @Override
    public void linkWaitingNotes(String membershipId, String opportunityId, Map<String, String> noteIds) {
        List<JsonNode> targets = new ArrayList<>();
        noteIds.keySet().forEach(noteKey -> requests.noteTargetRecords(noteKey, null, opportunityId).forEach(targets::add));
        try {
            http.send(requests.batch("noteTarget.upsert", "noteTargets", targets));
        } catch (CrmRecordGoneException someNoteGone) {
            for (String noteKey : noteIds.keySet()) {
                try {
                    http.send(requests.noteTargets(noteKey, null, opportunityId));
                } catch (CrmRecordGoneException noteGone) {
                    log.warn("Twenty no longer has note {} waiting for membership {}'s opportunity; its link is dropped", noteKey, membershipId);
                }
            }
        }
    }

    private boolean personExists(String id) {
        try {
            http.send(new ApiRequest("person.read", "GET", "/rest/people/" + id, null, null));
            return true;
        } catch (CrmRecordGoneException gone) {
            return false;
        }
    }

    private String upsertPerson(Map<String, Object> fields, String email) {
        ApiResponse response = http.send(requests.person(fields, email));
        JsonNode id = TwentyAnswers.records(response, "people").path(0).path("id");
        if (!id.isTextual()) {
            throw new CrmException("twenty answered person.upsert without the person's id (data.createPeople[0].id)", true, null);
        }
        return id.asText();
    }

    /**
     * Sends a request that points at the change's person (the id remembered, or just written). When Twenty answers
     * that it no longer has that person, the person is written again by email and the request sent once more.
     */
    private void sendForPerson(ChangeWrite write, java.util.function.Function<String, ApiRequest> request) {
        String id = write.personId();
        ApiRequest first = request.apply(id);
        if (first == null) {
            return;
        }
        try {
            http.send(first);
        } catch (CrmRecordGoneException e) {
            // Twenty's foreign-key error names no column: ask whether the person is the record that is gone
            if (write.personWasFoundAgain() || id == null || write.email() == null || personExists(id)) {
                throw e;
            }
            log.warn("Twenty no longer has person {} (remembered for event {}); writing it again by email", id, write.change().eventId());
            // Twenty holds nothing of this person now: write what this change knows
            write.personFoundAgain(upsertPerson(write.change().person(), write.email()), true);
            healCounter.increment();
            ApiRequest again = request.apply(write.personId());
            if (again != null) {
                http.send(again);
            }
        }
    }

    @Override
    public List<Map<String, Object>> preview(CrmChange change) {
        List<Map<String, Object>> preview = new ArrayList<>();
        String email = ChangeKeys.email(change);
        String personId = email == null ? null : versions.remoteId(PROVIDER, "person", email)
                .orElse("<id Twenty returns for " + email + ">");
        if (email != null) {
            preview.add(requests.person(change.person(), email).describe());
        }
        String membershipId = ChangeKeys.membershipId(change);
        if (membershipId != null) {
            preview.add(requests.opportunity(change.opportunity(), membershipId, personId).describe());
        }
        String noteKey = ChangeKeys.noteKey(change);
        if (noteKey != null) {
            preview.add(requests.note(change.note(), noteKey).describe());
            String noteMembership = ChangeKeys.noteMembershipId(change);
            // linked to the opportunity now only if it exists; otherwise when the membership's opportunity is written
            boolean opportunityKnown = noteMembership != null && (noteMembership.equals(membershipId)
                    || versions.remoteId(PROVIDER, "opportunity", noteMembership).isPresent());
            ApiRequest targets = requests.noteTargets(noteKey, personId, opportunityKnown ? TwentyRequests.opportunityId(noteMembership) : null);
            if (targets != null) {
                preview.add(targets.describe());
            }
        }
        return preview;
    }
}
