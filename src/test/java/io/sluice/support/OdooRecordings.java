package io.sluice.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

/**
 * Answers recorded from a real Odoo 19 (src/test/resources/fixtures/odoo-19/, see its README), served as recorded,
 * and {@link PartnerSearch}: contacts searched the way Odoo's {@code =ilike} does it (SQL ILIKE: {@code _} and
 * {@code %} are wildcards, {@code \} escapes them), as the recording showed.
 */
public final class OdooRecordings {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RecordedExchanges RECORDED = new RecordedExchanges("odoo-19");

    private OdooRecordings() {
    }

    public static JsonNode exchange(String name) {
        return RECORDED.exchange(name);
    }

    public static ResponseDefinitionBuilder answer(String name) {
        return RECORDED.answer(name);
    }

    /** A {@code fields_get} answer naming these fields (Odoo answers a dict of field name to attributes). */
    public static ResponseDefinitionBuilder fieldsGet(List<String> names) {
        ObjectNode fields = JSON.createObjectNode();
        names.forEach(n -> fields.putObject(n).put("type", "char"));
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8").withBody(fields.toString());
    }

    public static final List<String> PARTNER_FIELDS = List.of("id", "name", "email", "phone", "function", "x_whop_user_id");
    public static final List<String> LEAD_FIELDS = List.of("id", "name", "email_from", "partner_id", "stage_id", "probability", "active",
            "expected_revenue", "date_deadline", "description", "lost_reason_id", "x_whop_membership_id");

    /** Answers {@code res.partner/search_read} over the contacts it holds, with Odoo's {@code =ilike} semantics. */
    public static final class PartnerSearch implements ResponseDefinitionTransformerV2 {

        public static final String NAME = "odoo-partner-search";
        private static final List<Map.Entry<Long, String>> PARTNERS = new CopyOnWriteArrayList<>();

        public static void holds(long id, String email) {
            PARTNERS.add(Map.entry(id, email));
        }

        public static void clear() {
            PARTNERS.clear();
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            try {
                JsonNode leaf = JSON.readTree(serveEvent.getRequest().getBodyAsString()).path("domain").path(0);
                Pattern like = ilike(leaf.path(2).asText());
                ArrayNode found = JSON.createArrayNode();
                PARTNERS.stream().filter(p -> like.matcher(p.getValue()).matches())
                        .forEach(p -> found.addObject().put("id", p.getKey()).put("email", p.getValue()));
                return ResponseDefinitionBuilder.like(serveEvent.getResponseDefinition()).but().withBody(found.toString()).build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** SQL ILIKE as PostgreSQL reads it: {@code %} any run, {@code _} any one character, {@code \} escapes. */
        static Pattern ilike(String pattern) {
            StringBuilder regex = new StringBuilder();
            for (int i = 0; i < pattern.length(); i++) {
                char c = pattern.charAt(i);
                if (c == '\\' && i + 1 < pattern.length()) {
                    regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
                } else if (c == '%') {
                    regex.append(".*");
                } else if (c == '_') {
                    regex.append('.');
                } else {
                    regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return NAME;
        }
    }
}
