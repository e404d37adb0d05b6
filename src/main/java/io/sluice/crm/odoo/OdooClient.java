package io.sluice.crm.odoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmRejectedException;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiRequest;

import java.util.List;

/**
 * The few Odoo ORM calls Sluice needs (search_read, create, write, message_post), over JSON-2
 * ({@code POST /json/2/<model>/<method>}, named arguments, Odoo 19+) or JSON-RPC {@code execute_kw} (Odoo 18 and
 * older). JSON-RPC reports errors in a 200 answer; both protocols' errors are read by {@link OdooErrors}.
 */
final class OdooClient {

    private final ApiHttpClient http;
    private final OdooProperties odoo;
    private final ObjectMapper json;
    private volatile Long uid;

    OdooClient(ApiHttpClient http, OdooProperties odoo, ObjectMapper json) {
        this.http = http;
        this.odoo = odoo;
        this.json = json;
    }

    /** Records matching {@code domain}, archived ones included (a lost lead is archived). */
    JsonNode searchRead(String model, ArrayNode domain, List<String> fields, int limit) {
        ObjectNode named = json.createObjectNode();
        named.set("domain", domain);
        ArrayNode fieldList = named.putArray("fields");
        fields.forEach(fieldList::add);
        named.put("limit", limit);
        named.putObject("context").put("active_test", false);
        return call(model + ".search_read", model, "search_read", named, positional(domain), kwargs(named, "fields", "limit", "context"));
    }

    long create(String model, ObjectNode vals) {
        ObjectNode named = json.createObjectNode();
        named.putArray("vals_list").add(vals);
        JsonNode result = call(model + ".create", model, "create", named, positional(json.createArrayNode().add(vals)), json.createObjectNode());
        return id(result, model + ".create");
    }

    void write(String model, long id, ObjectNode vals) {
        ObjectNode named = json.createObjectNode();
        named.putArray("ids").add(id);
        named.set("vals", vals);
        call(model + ".write", model, "write", named, positional(json.createArrayNode().add(id), vals), json.createObjectNode());
    }

    /** The model's field names ({@code fields_get}), to check the mapping against. */
    JsonNode fieldsGet(String model) {
        ObjectNode named = json.createObjectNode();
        named.putArray("attributes").add("type");
        return call(model + ".fields_get", model, "fields_get", named, json.createArrayNode(), kwargs(named, "attributes"));
    }

    /** Logs in (JSON-RPC) or reads nothing (JSON-2): proves the key, the user and the database. */
    void ping() {
        if (odoo.api() == OdooProperties.Api.jsonrpc) {
            uid = null;
            uid();
            return;
        }
        ArrayNode domain = json.createArrayNode();
        domain.addArray().add("id").add("=").add(0);
        searchRead("res.partner", domain, List.of("id"), 1);
    }

    /** An internal note in the record's chatter; returns the mail.message id. */
    long messagePost(String model, long id, String body) {
        ObjectNode named = json.createObjectNode();
        named.putArray("ids").add(id);
        named.put("body", body);
        named.put("message_type", "comment");
        named.put("subtype_xmlid", "mail.mt_note");
        JsonNode result = call(model + ".message_post", model, "message_post", named, positional(json.createArrayNode().add(id)),
                kwargs(named, "body", "message_type", "subtype_xmlid"));
        return id(result, model + ".message_post");
    }

    /** The JSON-2 request of a call, as the preview shows it. */
    ApiRequest json2Request(String operation, String model, String method, ObjectNode named) {
        return new ApiRequest(operation, "POST", "/json/2/" + model + "/" + method, null, named);
    }

    private JsonNode call(String operation, String model, String method, ObjectNode named, ArrayNode positional, ObjectNode kwargs) {
        if (odoo.api() == OdooProperties.Api.json2) {
            return http.send(json2Request(operation, model, method, named)).json();
        }
        ArrayNode args = json.createArrayNode().add(odoo.db()).add(uid()).add(odoo.apiKey()).add(model).add(method);
        args.add(positional);
        args.add(kwargs);
        return rpc(operation, "object", "execute_kw", args);
    }

    private long uid() {
        Long known = uid;
        if (known != null) {
            return known;
        }
        ArrayNode args = json.createArrayNode().add(odoo.db()).add(odoo.username()).add(odoo.apiKey()).add(json.createObjectNode());
        JsonNode result = rpc("authenticate", "common", "authenticate", args);
        if (!result.isNumber()) {
            throw new io.sluice.crm.CrmCredentialRejectedException("Odoo refused the login: check ODOO_USERNAME, ODOO_API_KEY and ODOO_DB");
        }
        uid = result.asLong();
        return uid;
    }

    private JsonNode rpc(String operation, String service, String method, ArrayNode args) {
        ObjectNode body = json.createObjectNode();
        body.put("jsonrpc", "2.0");
        body.put("method", "call");
        ObjectNode params = body.putObject("params");
        params.put("service", service);
        params.put("method", method);
        params.set("args", args);
        body.put("id", 1);
        JsonNode answer = http.send(new ApiRequest(operation, "POST", "/jsonrpc", null, body)).json();
        if (answer != null && answer.has("error")) {
            throw OdooErrors.rpc(operation, answer.path("error"));
        }
        if (answer == null || !answer.has("result")) {
            throw new CrmException("odoo answered " + operation + " without a result", true, null);
        }
        return answer.path("result");
    }

    private ArrayNode positional(JsonNode... values) {
        ArrayNode list = json.createArrayNode();
        for (JsonNode value : values) {
            list.add(value);
        }
        return list;
    }

    private ObjectNode kwargs(ObjectNode named, String... names) {
        ObjectNode kwargs = json.createObjectNode();
        for (String name : names) {
            if (named.has(name)) {
                kwargs.set(name, named.get(name));
            }
        }
        return kwargs;
    }

    private static long id(JsonNode result, String operation) {
        JsonNode id = result != null && result.isArray() ? result.path(0) : result;
        if (id == null || !id.canConvertToLong() || id.asLong() <= 0) {
            throw new CrmException("odoo answered " + operation + " without a record id", true, null);
        }
        return id.asLong();
    }
}
