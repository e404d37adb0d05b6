package io.sluice.crm.odoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.config.SluiceProperties;
import io.sluice.crm.ChangeKeys;
import io.sluice.crm.CrmChange;
import io.sluice.crm.CrmConnector;
import io.sluice.crm.CrmRejectedException;
import io.sluice.crm.CrmWriteResult;
import io.sluice.crm.LockedChange;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiHttpClients;
import io.sluice.mapping.CrmFieldSchema;
import io.sluice.store.CrmWriteVersions;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes to Odoo (research crm.md §D): {@code res.partner} found by email and {@code crm.lead} by the Whop key
 * field, then written or created (Odoo has no upsert; the row lock in {@code crm_write_version} serialises writes of
 * one key, and the ids found are remembered); payments become internal notes ({@code message_post}) in the
 * lead's chatter, edited in place when the payment changes. A lead whose stage maps to "Lost" is archived, Odoo's
 * way of marking it lost.
 */
@Component
@ConditionalOnProperty(name = "sluice.crm.provider", havingValue = "odoo")
public class OdooConnector implements CrmConnector {

    static final String PROVIDER = "odoo";
    public static final CrmFieldSchema SCHEMA = new CrmFieldSchema(
            Set.of("email", "name", "phone", "function"),
            Set.of("membershipId", "name", "expected_revenue", "date_deadline", "stage", "description"),
            Set.of("externalId", "body", "membershipId"),
            Pattern.compile("x_[a-z0-9_]{1,60}"), "a custom field (x_…)");

    private final OdooClient odoo;
    private final OdooStages stages;
    private final CrmWriteVersions versions;
    private final TransactionTemplate transaction;
    private final ObjectMapper json;
    private final String leadKeyField;

    public OdooConnector(SluiceProperties properties, ApiHttpClients clients, CrmWriteVersions versions,
                         TransactionTemplate transaction, ObjectMapper objectMapper) {
        SluiceProperties.Odoo config = properties.crm().odoo();
        for (String[] required : new String[][]{{config.url(), "ODOO_URL"}, {config.apiKey(), "ODOO_API_KEY"},
                {config.db(), "ODOO_DB"}}) {
            if (required[0] == null || required[0].isBlank()) {
                throw new IllegalArgumentException(required[1] + " is required with CRM_PROVIDER=odoo");
            }
        }
        if (config.api() == SluiceProperties.OdooApi.jsonrpc && (config.username() == null || config.username().isBlank())) {
            throw new IllegalArgumentException("ODOO_USERNAME is required with sluice.crm.odoo.api=jsonrpc");
        }
        Map<String, String> headers = config.api() == SluiceProperties.OdooApi.json2
                ? Map.of("Authorization", "bearer " + config.apiKey().trim(), "X-Odoo-Database", config.db().trim())
                : Map.of();
        ApiHttpClient http = clients.create(PROVIDER, () -> config.url().trim(), () -> headers,
                "ODOO_API_KEY (a key of a user with rights on contacts and CRM), ODOO_USERNAME and ODOO_DB",
                config.maxRequests(), config.per(), null);
        this.odoo = new OdooClient(http, config, objectMapper);
        this.stages = new OdooStages(odoo);
        this.versions = versions;
        this.transaction = transaction;
        this.json = objectMapper;
        this.leadKeyField = config.leadKeyField();
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
        LockedChange locked = LockedChange.lock(versions, PROVIDER, change);
        if (locked.stale()) {
            return CrmWriteResult.STALE; // the subject already holds a newer change: write nothing
        }
        CrmWriteVersions.Written partner = locked.person();
        CrmWriteVersions.Written lead = locked.opportunity();
        CrmWriteVersions.Written note = locked.note();
        boolean leadNewer = locked.opportunityNewer();
        boolean noteNewer = locked.noteNewer();
        Long partnerId = partner == null || partner.remoteId() == null ? null : Long.valueOf(partner.remoteId());
        if (locked.personNewer()) {
            partnerId = writePartner(change.person(), email, partnerId);
            versions.written(partner, partnerId.toString(), change.sourceUpdatedAt(), change.eventId());
        }
        if (leadNewer) {
            Long known = lead.remoteId() == null ? null : Long.valueOf(lead.remoteId());
            long leadId = writeLead(change.opportunity(), membershipId, email, partnerId, known);
            versions.written(lead, Long.toString(leadId), change.sourceUpdatedAt(), change.eventId());
        }
        if (noteNewer) {
            versions.written(note, Long.toString(writeNote(change, note.remoteId(), partnerId)), change.sourceUpdatedAt(), change.eventId());
        }
        return CrmWriteResult.APPLIED;
    }

    private long writePartner(Map<String, Object> person, String email, Long known) {
        ObjectNode vals = values(person, Set.of(CrmFieldSchema.PERSON_KEY));
        vals.put("email", email);
        if (!vals.hasNonNull("name")) {
            vals.put("name", email); // required by Odoo
        }
        Long id = known != null ? known : find("res.partner", "email", "=ilike", email);
        if (id != null) {
            odoo.write("res.partner", id, vals);
            return id;
        }
        return odoo.create("res.partner", vals);
    }

    private long writeLead(Map<String, Object> opportunity, String membershipId, String email, Long partnerId, Long known) {
        ObjectNode vals = values(opportunity, Set.of(CrmFieldSchema.OPPORTUNITY_KEY, "stage"));
        vals.put(leadKeyField, membershipId);
        vals.put("type", "opportunity");
        if (partnerId != null) {
            vals.put("partner_id", partnerId);
        }
        if (email != null) {
            vals.put("email_from", email);
        }
        Object stage = opportunity.get("stage");
        if (stage != null) {
            OdooStages.Placement placement = stages.place(stage.toString());
            if (placement.stageId() != null) {
                vals.put("stage_id", placement.stageId());
            }
            vals.put("active", placement.active());
        }
        Long id = known != null ? known : find("crm.lead", leadKeyField, "=", membershipId);
        if (id != null) {
            odoo.write("crm.lead", id, vals);
            return id;
        }
        if (!vals.hasNonNull("name")) {
            vals.put("name", membershipId);
        }
        return odoo.create("crm.lead", vals);
    }

    private long writeNote(CrmChange change, String knownMessageId, Long partnerId) {
        Object body = change.note().get("body");
        String text = body == null ? ChangeKeys.noteKey(change) : body.toString();
        if (knownMessageId != null) {
            ObjectNode vals = json.createObjectNode().put("body", text);
            odoo.write("mail.message", Long.parseLong(knownMessageId), vals);
            return Long.parseLong(knownMessageId);
        }
        String noteMembership = ChangeKeys.field(change.note(), "membershipId");
        String leadId = noteMembership == null ? null : versions.remoteId(PROVIDER, "opportunity", noteMembership).orElse(null);
        if (leadId != null) {
            return odoo.messagePost("crm.lead", Long.parseLong(leadId), text);
        }
        if (partnerId == null) {
            throw new CrmRejectedException("odoo note " + ChangeKeys.noteKey(change)
                    + " has neither a lead nor a partner to be posted on (no email mapped)");
        }
        return odoo.messagePost("res.partner", partnerId, text);
    }

    private Long find(String model, String field, String operator, String value) {
        ArrayNode domain = json.createArrayNode();
        domain.addArray().add(field).add(operator).add(value);
        JsonNode found = odoo.searchRead(model, domain, List.of("id"), 1);
        return found != null && found.isArray() && !found.isEmpty() ? found.get(0).path("id").asLong() : null;
    }

    private ObjectNode values(Map<String, Object> fields, Set<String> skip) {
        ObjectNode vals = json.createObjectNode();
        fields.forEach((name, value) -> {
            if (value == null || skip.contains(name)) {
                return;
            }
            if (value instanceof BigDecimal d) {
                vals.put(name, d);
            } else if (value instanceof Boolean b) {
                vals.put(name, b);
            } else if (value instanceof Instant i) {
                vals.put(name, i.atOffset(ZoneOffset.UTC).toLocalDate().toString()); // Odoo dates: YYYY-MM-DD
            } else {
                vals.put(name, value.toString());
            }
        });
        return vals;
    }

    @Override
    public List<Map<String, Object>> preview(CrmChange change) {
        List<Map<String, Object>> preview = new ArrayList<>();
        String email = ChangeKeys.email(change);
        if (email != null) {
            ArrayNode domain = json.createArrayNode();
            domain.addArray().add("email").add("=ilike").add(email);
            ObjectNode search = json.createObjectNode();
            search.set("domain", domain);
            preview.add(odoo.json2Request("res.partner.search_read", "res.partner", "search_read", search).describe());
        }
        String membershipId = ChangeKeys.membershipId(change);
        if (membershipId != null) {
            ObjectNode vals = values(change.opportunity(), Set.of(CrmFieldSchema.OPPORTUNITY_KEY, "stage"));
            vals.put(leadKeyField, membershipId);
            vals.put("type", "opportunity");
            vals.put("stage", String.valueOf(change.opportunity().get("stage")) + " (resolved to stage_id at write time)");
            ObjectNode named = json.createObjectNode();
            named.putArray("vals_list").add(vals);
            preview.add(odoo.json2Request("crm.lead.create", "crm.lead", "create (or write, when found)", named).describe());
        }
        if (ChangeKeys.noteKey(change) != null) {
            ObjectNode named = json.createObjectNode().put("body", String.valueOf(change.note().get("body")))
                    .put("message_type", "comment").put("subtype_xmlid", "mail.mt_note");
            preview.add(odoo.json2Request("crm.lead.message_post", "crm.lead", "message_post", named).describe());
        }
        return preview;
    }


}
