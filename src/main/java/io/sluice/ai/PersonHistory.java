package io.sluice.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.event.Timestamps;
import io.sluice.inbox.EventLog;
import io.sluice.inbox.StoredEvent;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Builds {@link PersonFacts} from a person's stored events (webhooks and pulls), the newest state of each record winning. */
@Component
public class PersonHistory {

    /** The newest events read per person; enough for years of a subscription. */
    private static final int LIMIT = 1000;

    private final EventLog eventLog;
    private final ObjectMapper objectMapper;

    public PersonHistory(EventLog eventLog, ObjectMapper objectMapper) {
        this.eventLog = eventLog;
        this.objectMapper = objectMapper;
    }

    public PersonFacts of(String email) {
        String key = email.trim().toLowerCase(Locale.ROOT);
        Map<String, Versioned<PersonFacts.Membership>> memberships = new LinkedHashMap<>();
        Map<String, Versioned<PersonFacts.Payment>> payments = new LinkedHashMap<>();
        Set<String> refunds = new HashSet<>();
        Set<String> disputes = new HashSet<>();
        String name = null;
        for (StoredEvent event : eventLog.forPerson(key, LIMIT)) {
            JsonNode data = data(event);
            if (data == null) {
                continue;
            }
            String id = data.path("id").asText("");
            String userName = data.path("user").path("name").asText(null);
            if (userName != null && !userName.isBlank()) {
                name = userName;
            }
            String type = event.type();
            if (type.startsWith("membership.")) {
                keep(memberships, id, event, new PersonFacts.Membership(id, data.path("status").asText("unknown"),
                        data.path("cancel_at_period_end").asBoolean(false), data.path("product").path("title").asText(null),
                        Timestamps.parse(data.path("created_at")), Timestamps.parse(data.path("renewal_period_end"))));
            } else if (type.startsWith("payment.")) {
                keep(payments, id, event, new PersonFacts.Payment(id, data.path("substatus").asText(data.path("status").asText("unknown")),
                        data.path("total").isNumber() ? data.path("total").decimalValue() : null, data.path("currency").asText(null)));
            } else if (type.startsWith("refund.")) {
                refunds.add(id);
            } else if (type.startsWith("dispute.")) {
                disputes.add(id);
            }
        }
        return new PersonFacts(key, name, values(memberships), values(payments), refunds.size(), disputes.size());
    }

    private record Versioned<T>(java.time.Instant at, T value) {
    }

    private static <T> void keep(Map<String, Versioned<T>> latest, String id, StoredEvent event, T value) {
        Versioned<T> seen = latest.get(id);
        if (seen == null || event.occurredAt() == null || seen.at() == null || !event.occurredAt().isBefore(seen.at())) {
            latest.put(id, new Versioned<>(event.occurredAt(), value));
        }
    }

    private static <T> List<T> values(Map<String, Versioned<T>> latest) {
        List<T> values = new ArrayList<>();
        latest.values().forEach(v -> values.add(v.value()));
        return values;
    }

    private JsonNode data(StoredEvent event) {
        try {
            JsonNode data = objectMapper.readTree(event.payload()).path("data");
            return data.isObject() ? data : null;
        } catch (IOException e) {
            return null;
        }
    }
}
