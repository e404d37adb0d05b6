package io.sluice.crm.odoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.crm.ChangeKeys;
import io.sluice.crm.CrmCheck;
import io.sluice.crm.CrmMetrics;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmRecordGoneException;
import io.sluice.crm.CrmRequirements;
import io.sluice.mapping.CrmChange;
import io.sluice.crm.CrmConnector;
import io.sluice.crm.ChangeWrite;
import io.sluice.crm.CrmRecordWrites;
import io.sluice.crm.CrmWriteVersions;
import io.sluice.crm.CrmWriteTemplate;
import io.sluice.crm.PendingNoteLinks;
import io.sluice.crm.CrmRejectedException;
import io.sluice.crm.CrmWriteResult;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiHttpClients;
import io.sluice.mapping.CrmFieldSchema;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes to Odoo (docs/connectors/odoo.md): {@code res.partner} found by its exact email and {@code crm.lead} by the
 * Whop key field, then written or created (Odoo has no upsert; the row lock in {@code crm_write_version} serialises
 * writes of one key, and the ids found are remembered); payments become internal notes ({@code message_post}) in
 * the lead's chatter, edited in place when the payment changes. A lead whose stage maps to "Lost" is marked lost the
 * way Odoo's own action does (archived with probability 0). A remembered id Odoo no longer has is forgotten and the
 * record found or created again.
 */
@Component
@ConditionalOnProperty(name = "sluice.crm.provider", havingValue = "odoo")
public class OdooConnector implements CrmConnector, CrmRecordWrites {

    static final String PROVIDER = "odoo";
    private static final Logger log = LoggerFactory.getLogger(OdooConnector.class);
    public static final CrmFieldSchema SCHEMA = new CrmFieldSchema(
            Set.of("email", "name", "phone", "function"),
            Set.of("membershipId", "name", "expected_revenue", "date_deadline", "stage", "description"),
            Set.of("externalId", "body", "membershipId"),
            Pattern.compile("x_[a-z0-9_]{1,60}"), "a custom field (x_…)");

    private final OdooClient odoo;
    private final OdooStages stages;
    private final CrmWriteTemplate writeTemplate;
    private final ObjectMapper json;
    private final String leadKeyField;
    private final Long lostReasonId;
    private final Counter refound;

    public OdooConnector(OdooProperties config, ApiHttpClients clients, CrmWriteVersions versions,
                         io.sluice.crm.CrmWriteLeases leases, PendingNoteLinks pendingLinks, ObjectMapper objectMapper,
                         MeterRegistry registry) {
        for (String[] required : new String[][]{{config.url(), "ODOO_URL"}, {config.apiKey(), "ODOO_API_KEY"},
                {config.db(), "ODOO_DB"}}) {
            if (required[0] == null || required[0].isBlank()) {
                throw new IllegalArgumentException(required[1] + " is required with CRM_PROVIDER=odoo");
            }
        }
        if (config.api() == OdooProperties.Api.jsonrpc && (config.username() == null || config.username().isBlank())) {
            throw new IllegalArgumentException("ODOO_USERNAME is required with sluice.crm.odoo.api=jsonrpc");
        }
        Map<String, String> headers = config.api() == OdooProperties.Api.json2
                ? Map.of("Authorization", "bearer " + config.apiKey().trim(), "X-Odoo-Database", config.db().trim())
                : Map.of();
        ApiHttpClient http = clients.create("crm", io.sluice.crm.CrmFailures.INSTANCE, PROVIDER, () -> config.url().trim(), () -> headers,
                "ODOO_API_KEY (a key of a user with rights on contacts and CRM), ODOO_USERNAME and ODOO_DB",
                config.maxRequests(), config.per(), OdooErrors::json2);
        this.odoo = new OdooClient(http, config, objectMapper);
        this.stages = new OdooStages(odoo);
        this.lostReasonId = config.lostReasonId();
        this.refound = CrmMetrics.refound(registry, PROVIDER);
        this.writeTemplate = new CrmWriteTemplate(PROVIDER, versions, leases, pendingLinks);
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

    /**
     * Logs in (or reads nothing, over JSON-2), then asks {@code fields_get} of contacts and leads and reads the
     * stages: a wrong key or database, a missing custom field or stage shows in health before any event is written.
     */
    @Override
    public CrmCheck check(CrmRequirements requirements) {
        Instant now = Instant.now();
        try {
            odoo.ping();
        } catch (CrmRejectedException e) {
            return CrmCheck.problem(e.getMessage(), now);
        } catch (CrmException e) {
            return CrmCheck.unreachable(e.getMessage(), now);
        }
        List<String> missing = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        try {
            requireFields("res.partner", requirements.personFields().stream().filter(f -> !f.equals(CrmFieldSchema.PERSON_KEY)).toList(),
                    missing, warnings);
            List<String> leadFields = new ArrayList<>(List.of(leadKeyField, "partner_id", "email_from", "stage_id", "probability"));
            requirements.opportunityFields().stream().filter(f -> !f.equals(CrmFieldSchema.OPPORTUNITY_KEY) && !f.equals("stage"))
                    .forEach(leadFields::add);
            requireFields("crm.lead", leadFields, missing, warnings);
            List<String> stagesMissing = stages.missing(requirements.stageValues());
            if (!stagesMissing.isEmpty()) {
                missing.add("CRM stages " + stagesMissing + " (Odoo has " + stages.names() + ")");
            }
        } catch (CrmRejectedException e) {
            warnings.add("the data model was not checked: " + e.getMessage());
        } catch (CrmException e) {
            return CrmCheck.unreachable(e.getMessage(), now);
        }
        if (!missing.isEmpty()) {
            return CrmCheck.problem("Odoo lacks what the mapping writes: " + String.join("; ", missing)
                    + ". An administrator adds them (docs/connectors/odoo.md)", now);
        }
        return CrmCheck.ok(warnings, now);
    }

    private void requireFields(String model, List<String> names, List<String> missing, List<String> warnings) {
        JsonNode fields = odoo.fieldsGet(model);
        if (fields == null || !fields.isObject() || fields.isEmpty()) {
            warnings.add("fields_get of " + model + " gave no fields; not checked");
            return;
        }
        List<String> absent = names.stream().filter(n -> !fields.has(n)).distinct().toList();
        if (!absent.isEmpty()) {
            missing.add("field" + (absent.size() == 1 ? " " : "s ") + String.join(", ", absent) + " on " + model);
        }
    }

    @Override
    public CrmWriteResult apply(CrmChange change) {
        return writeTemplate.apply(change, this);
    }

    @Override
    public String writePerson(ChangeWrite write) {
        return Long.toString(writePartner(write, write.personId()));
    }

    @Override
    public String writeOpportunity(ChangeWrite write) {
        return Long.toString(writeLead(write, remembered(write.rememberedOpportunityId())));
    }

    @Override
    public String writeNote(ChangeWrite write) {
        return Long.toString(postNote(write));
    }

    private static Long remembered(String remoteId) {
        return remoteId == null ? null : Long.valueOf(remoteId);
    }

    private long writePartner(ChangeWrite write, String known) {
        String email = write.email();
        ObjectNode vals = values(write.change().person(), Set.of(CrmFieldSchema.PERSON_KEY));
        vals.put("email", email);
        Long id = known != null ? remembered(known) : findPartner(email);
        if (id != null) {
            try {
                odoo.write("res.partner", id, vals);
                return id;
            } catch (CrmRecordGoneException deleted) {
                if (known == null) {
                    throw deleted;
                }
                log.warn("Odoo no longer has partner {}; finding it again by email", id);
                write.personLost();
                refound.increment();
                return writePartner(write, null);
            }
        }
        if (!vals.hasNonNull("name")) {
            vals.put("name", email); // Odoo requires a name; only a new contact gets the email as one
        }
        return odoo.create("res.partner", vals);
    }

    private long writeLead(ChangeWrite write, Long known) {
        Map<String, Object> opportunity = write.change().opportunity();
        String membershipId = write.membershipId();
        ObjectNode vals = values(opportunity, Set.of(CrmFieldSchema.OPPORTUNITY_KEY, "stage"));
        vals.put(leadKeyField, membershipId);
        vals.put("type", "opportunity");
        Long partnerId = remembered(write.personId());
        if (partnerId != null) {
            vals.put("partner_id", partnerId);
        }
        if (write.email() != null) {
            vals.put("email_from", write.email());
        }
        Object stage = opportunity.get("stage");
        if (stage != null) {
            place(vals, stages.place(stage.toString()));
        }
        Long id = known != null ? known : find("crm.lead", leadKeyField, "=", membershipId);
        if (id != null) {
            try {
                odoo.write("crm.lead", id, vals);
                return id;
            } catch (CrmRecordGoneException deleted) {
                if (known == null) {
                    throw deleted;
                }
                log.warn("Odoo no longer has lead {} of membership {}; finding or creating it again", id, membershipId);
                write.opportunityLost();
                refound.increment();
                return writeLead(write, null);
            }
        }
        if (!vals.hasNonNull("name")) {
            vals.put("name", membershipId);
        }
        return odoo.create("crm.lead", vals);
    }

    /**
     * Lost the way Odoo's "Mark as lost" does it: archived with probability 0 (an archived lead that keeps
     * probability 100 still counts as won), with the lost reason when one is configured. Any other stage makes the
     * lead active again, which reopens a lost one.
     */
    private void place(ObjectNode vals, OdooStages.Placement placement) {
        if (placement.stageId() != null) {
            vals.put("stage_id", placement.stageId());
        }
        vals.put("active", placement.active());
        if (!placement.active()) {
            vals.put("probability", 0);
            if (lostReasonId != null) {
                vals.put("lost_reason_id", lostReasonId);
            }
        } else {
            vals.put("lost_reason_id", false);
        }
    }

    private long postNote(ChangeWrite write) {
        CrmChange change = write.change();
        String knownMessageId = write.rememberedNoteId();
        Object body = change.note().get("body");
        String text = body == null ? write.noteKey() : body.toString();
        if (knownMessageId != null) {
            try {
                odoo.write("mail.message", Long.parseLong(knownMessageId), json.createObjectNode().put("body", text));
                return Long.parseLong(knownMessageId);
            } catch (CrmRecordGoneException deleted) {
                log.warn("Odoo no longer has note message {} of {}; posting it again", knownMessageId, write.noteKey());
            }
        }
        String leadId = write.noteOpportunityId();
        if (leadId != null) {
            try {
                return odoo.messagePost("crm.lead", Long.parseLong(leadId), text);
            } catch (CrmRecordGoneException deleted) {
                // the lead was deleted: its membership's next change creates it again; the note goes on the contact
                log.warn("Odoo no longer has lead {} of membership {}; the note goes on the contact", leadId, write.noteMembershipId());
                write.noteOpportunityLost();
            }
        }
        Long partnerId = remembered(write.personId());
        if (partnerId == null) {
            throw new CrmRejectedException("odoo note " + ChangeKeys.noteKey(change)
                    + " has neither a lead nor a partner to be posted on (no email mapped)");
        }
        return odoo.messagePost("res.partner", partnerId, text);
    }

    /**
     * The contact with exactly this email. Odoo's {@code =ilike} treats {@code _} and {@code %} as wildcards, so they
     * are escaped, and the candidates are compared again here: {@code bob_x@…} never matches {@code bobzx@…}.
     */
    private Long findPartner(String email) {
        ArrayNode domain = json.createArrayNode();
        domain.addArray().add("email").add("=ilike").add(likeLiteral(email));
        JsonNode found = odoo.searchRead("res.partner", domain, List.of("id", "email"), 20);
        if (found == null || !found.isArray()) {
            return null;
        }
        for (JsonNode partner : found) {
            if (email.equals(partner.path("email").asText("").trim().toLowerCase(Locale.ROOT))) {
                return partner.path("id").asLong();
            }
        }
        return null;
    }

    /** The value as a literal of Odoo's {@code =ilike} pattern: its {@code \\}, {@code _} and {@code %} escaped. */
    private static String likeLiteral(String value) {
        return value.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%");
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
            if (skip.contains(name)) {
                return;
            }
            if (value == null) {
                vals.put(name, false); // a field the mapping clears: Odoo's empty value
            } else if (value instanceof BigDecimal d) {
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
            domain.addArray().add("email").add("=ilike").add(likeLiteral(email));
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
