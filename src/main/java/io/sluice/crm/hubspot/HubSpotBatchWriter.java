package io.sluice.crm.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.crm.BatchPlan;
import io.sluice.crm.ChangeKeys;
import io.sluice.mapping.CrmChange;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmRejectedException;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A backfill's changes written to HubSpot with batch calls: one contacts upsert, one deals
 * upsert, one association call for the whole batch (notes one by one). Results are matched to inputs by their key
 * property; an input HubSpot did not accept (a 207) fails only the changes that need it, which are then retried
 * alone. Every key is locked (sorted) before anything is written, as in single writes.
 */
final class HubSpotBatchWriter {

    private final ApiHttpClient http;
    private final HubSpotRequests requests;
    private final HubSpotPipelines pipelines;
    private final HubSpotConnector connector;

    HubSpotBatchWriter(ApiHttpClient http, HubSpotRequests requests, HubSpotPipelines pipelines,
                       HubSpotConnector connector) {
        this.http = http;
        this.requests = requests;
        this.pipelines = pipelines;
        this.connector = connector;
    }

    /** Sends the batch calls {@code plan} asks for (inside {@link io.sluice.crm.CrmWriteTemplate#applyBatch}). */
    void write(BatchPlan plan) {
        upsertContacts(plan);
        Map<String, String> dealIds = upsertDeals(plan);
        associate(plan, dealIds);
        dealIds.forEach(connector::linkWaitingNotes);
        plan.notesToWrite().forEach((noteKey, i) -> {
            CrmChange change = plan.change(i);
            try {
                plan.noteWritten(noteKey, connector.writeNote(change, noteKey, plan.rememberedNoteId(noteKey), plan.personIdOf(change),
                        plan.noteOpportunityIdOf(change)));
            } catch (RuntimeException e) {
                plan.fail(ChangeKeys::noteKey, noteKey, e);
            }
        });
    }

    private void upsertContacts(BatchPlan plan) {
        Map<String, Integer> writers = plan.peopleToWrite();
        if (writers.isEmpty()) {
            return;
        }
        List<HubSpotRequests.Input> inputs = new ArrayList<>();
        writers.keySet().forEach(email -> inputs.add(new HubSpotRequests.Input(email, requests.contactProperties(plan.personFields(email), email))));
        Map<String, String> ids = results(http.send(requests.contacts(inputs)), "email");
        failMissing(plan, writers, ids, "contact", ChangeKeys::email);
        plan.peopleWritten(ids);
    }

    private Map<String, String> upsertDeals(BatchPlan plan) {
        List<HubSpotRequests.Input> inputs = new ArrayList<>();
        Map<String, Integer> sent = new LinkedHashMap<>();
        plan.opportunitiesToWrite().forEach((membershipId, i) -> {
            Map<String, Object> deal = plan.opportunityFields(membershipId);
            try {
                Object stage = deal.get("dealstage");
                String[] pipelineAndStage = stage == null ? null : pipelines.resolve(stage.toString());
                inputs.add(new HubSpotRequests.Input(membershipId, requests.dealProperties(deal, membershipId, pipelineAndStage)));
                sent.put(membershipId, i);
            } catch (RuntimeException e) {
                plan.fail(ChangeKeys::membershipId, membershipId, e);
            }
        });
        if (inputs.isEmpty()) {
            return Map.of();
        }
        Map<String, String> ids = results(http.send(requests.deals(inputs)), requests.membershipIdProperty());
        failMissing(plan, sent, ids, "deal", ChangeKeys::membershipId);
        ids.keySet().retainAll(sent.keySet());
        plan.opportunitiesWritten(ids);
        return ids;
    }

    private void associate(BatchPlan plan, Map<String, String> dealIds) {
        List<String[]> pairs = new ArrayList<>();
        plan.opportunitiesToWrite().forEach((membershipId, i) -> {
            String dealId = dealIds.get(membershipId);
            String contactId = plan.personIdOf(plan.change(i));
            if (dealId != null && contactId != null) {
                pairs.add(new String[]{dealId, contactId});
            }
        });
        if (!pairs.isEmpty()) {
            http.send(requests.associateDealsWithContacts(pairs));
        }
    }

    /** Key property value (lower-cased for emails) → HubSpot id, from a batch upsert answer. */
    private static Map<String, String> results(ApiResponse response, String keyProperty) {
        Map<String, String> ids = new HashMap<>();
        JsonNode json = response.json();
        if (json == null) {
            throw new CrmException("hubspot answered a batch upsert without a body", true, null);
        }
        for (JsonNode result : json.path("results")) {
            String key = result.path("properties").path(keyProperty).asText(null);
            if (key != null && result.hasNonNull("id")) {
                ids.put("email".equals(keyProperty) ? key.toLowerCase(java.util.Locale.ROOT) : key, result.path("id").asText());
            }
        }
        return ids;
    }

    /** The changes of a record HubSpot did not answer for (a 207, or no result) are retried alone, for its own answer. */
    private static void failMissing(BatchPlan plan, Map<String, Integer> writers, Map<String, String> ids, String what,
                                    Function<CrmChange, String> keyOf) {
        writers.keySet().stream().filter(key -> !ids.containsKey(key)).forEach(key -> plan.fail(keyOf, key,
                new CrmRejectedException("hubspot did not accept the " + what + " " + key
                        + " in a batch upsert (a 207 or a missing result); retried alone for its own answer")));
    }
}
