package io.sluice.crm.twenty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.SluiceProperties;
import io.sluice.crm.ChangeKeys;
import io.sluice.crm.CrmChange;
import io.sluice.crm.CrmConnector;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmWriteResult;
import io.sluice.crm.LockedChange;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiHttpClients;
import io.sluice.http.ApiRequest;
import io.sluice.http.ApiResponse;
import io.sluice.mapping.CrmFieldSchema;
import io.sluice.store.CrmWriteVersions;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes to Twenty (research crm.md §A): people upserted by lower-cased email, opportunities and notes by UUIDv5
 * ids from the Whop keys, notes linked to the person and the membership's opportunity with noteTargets. Each
 * object's row in {@code crm_write_version} is locked while it is written, so an older change is recognised as
 * stale and never overwrites a newer one.
 */
@Component
@ConditionalOnProperty(name = "sluice.crm.provider", havingValue = "twenty")
public class TwentyConnector implements CrmConnector {

    static final String PROVIDER = "twenty";
    public static final CrmFieldSchema SCHEMA = TwentyRequests.SCHEMA;

    private final ApiHttpClient http;
    private final TwentyRequests requests;
    private final CrmWriteVersions versions;
    private final TransactionTemplate transaction;
    private final TwentyBatchWriter batches;

    public TwentyConnector(SluiceProperties properties, ApiHttpClients clients, CrmWriteVersions versions,
                           TransactionTemplate transaction, ObjectMapper objectMapper) {
        SluiceProperties.Twenty twenty = properties.crm().twenty();
        if (twenty.apiKey() == null || twenty.apiKey().isBlank()) {
            throw new IllegalArgumentException("sluice.crm.twenty.api-key (TWENTY_API_KEY) is required with CRM_PROVIDER=twenty");
        }
        String authorization = "Bearer " + twenty.apiKey().trim();
        this.http = clients.create(PROVIDER, () -> twenty.baseUrl().toString(), () -> Map.of("Authorization", authorization),
                "TWENTY_API_KEY", twenty.maxRequests(), twenty.per(), null);
        this.requests = new TwentyRequests(objectMapper, twenty.noteTargetPersonField(), twenty.noteTargetOpportunityField());
        this.versions = versions;
        this.transaction = transaction;
        this.batches = new TwentyBatchWriter(http, requests, versions);
    }

    /** Twenty Cloud takes up to 60 records per batch call (research crm.md §A.3). */
    @Override
    public int batchSize() {
        return 60;
    }

    @Override
    public List<io.sluice.crm.BatchOutcome> applyBatch(List<CrmChange> changes) {
        return transaction.execute(tx -> batches.write(changes));
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
        return transaction.execute(tx -> applyLocked(change));
    }

    private CrmWriteResult applyLocked(CrmChange change) {
        String email = ChangeKeys.email(change);
        String membershipId = ChangeKeys.membershipId(change);
        String noteKey = ChangeKeys.noteKey(change);
        LockedChange locked = LockedChange.lock(versions, PROVIDER, change);
        if (locked.stale()) {
            return CrmWriteResult.STALE; // the subject already holds a newer change: write nothing
        }
        CrmWriteVersions.Written person = locked.person();
        CrmWriteVersions.Written opportunity = locked.opportunity();
        CrmWriteVersions.Written note = locked.note();
        boolean opportunityNewer = locked.opportunityNewer();
        boolean noteNewer = locked.noteNewer();
        String personId = person == null ? null : person.remoteId();
        if (locked.personNewer()) {
            personId = upsertPerson(change, email);
            versions.written(person, personId, change.sourceUpdatedAt(), change.eventId());
        }
        if (opportunityNewer) {
            http.send(requests.opportunity(change.opportunity(), membershipId, personId));
            versions.written(opportunity, TwentyRequests.opportunityId(membershipId), change.sourceUpdatedAt(), change.eventId());
        }
        if (noteNewer) {
            http.send(requests.note(change.note(), noteKey));
            String noteMembership = ChangeKeys.field(change.note(), "membershipId");
            String linkedOpportunity = noteMembership == null ? null
                    : versions.remoteId(PROVIDER, "opportunity", noteMembership).orElse(null);
            ApiRequest targets = requests.noteTargets(noteKey, personId, linkedOpportunity);
            if (targets != null) {
                http.send(targets);
            }
            versions.written(note, TwentyRequests.noteId(noteKey), change.sourceUpdatedAt(), change.eventId());
        }
        return CrmWriteResult.APPLIED;
    }

    private String upsertPerson(CrmChange change, String email) {
        ApiResponse response = http.send(requests.person(change.person(), email));
        JsonNode id = response.json() == null ? null : response.json().path("data").path("people").path(0).path("id");
        if (id == null || !id.isTextual()) {
            throw new CrmException("twenty answered person.upsert without data.people[0].id", true, null);
        }
        return id.asText();
    }

    @Override
    public List<Map<String, Object>> preview(CrmChange change) {
        List<Map<String, Object>> preview = new ArrayList<>();
        String email = ChangeKeys.email(change);
        String personId = email == null ? null : "<id Twenty returns for " + email + ">";
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
            String noteMembership = ChangeKeys.field(change.note(), "membershipId");
            ApiRequest targets = requests.noteTargets(noteKey, personId,
                    noteMembership == null ? null : TwentyRequests.opportunityId(noteMembership));
            if (targets != null) {
                preview.add(targets.describe());
            }
        }
        return preview;
    }

}
