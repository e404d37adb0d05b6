package io.sluice.crm.odoo;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.crm.CrmCredentialRejectedException;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmRecordGoneException;
import io.sluice.crm.CrmRejectedException;
import io.sluice.http.ApiRequest;
import io.sluice.http.ApiResponse;

import java.util.Set;

/**
 * Reads Odoo's errors the same way for JSON-2 (the HTTP status and a JSON body) and JSON-RPC (HTTP 200 with an
 * {@code error} object): by the exception's {@code name} and {@code message}, never its {@code debug} traceback,
 * which is long and says nothing an operator can act on. Each error becomes what waiting can or cannot fix.
 */
final class OdooErrors {

    private static final Set<String> REFUSALS = Set.of("odoo.exceptions.AccessDenied", "odoo.exceptions.AccessError",
            "odoo.exceptions.ValidationError", "odoo.exceptions.UserError", "werkzeug.exceptions.Unauthorized");
    static final String MISSING = "odoo.exceptions.MissingError";

    private OdooErrors() {
    }

    /** The JSON-2 classification: null for answers the default reading handles (429, timeouts). */
    static RuntimeException json2(ApiRequest request, ApiResponse response) {
        JsonNode body = response.json();
        if (body == null || !body.has("name")) {
            String text = response.text();
            if (response.status() == 404 && text.contains("No database is selected")) {
                return wrongDatabase(request.operation());
            }
            return null;
        }
        return classify(request.operation(), body.path("name").asText(), body.path("message").asText(), response.status());
    }

    /** The classification of a JSON-RPC {@code error} object (always in an HTTP 200 answer). */
    static RuntimeException rpc(String operation, JsonNode error) {
        JsonNode data = error.path("data");
        return classify(operation, data.path("name").asText(""), data.path("message").asText(error.path("message").asText("")), 200);
    }

    static RuntimeException wrongDatabase(String operation) {
        return new CrmRejectedException("odoo answered " + operation + " with its \"No database is selected\" page: check ODOO_DB "
                + "(the database name, which the server's --db-filter must allow)");
    }

    private static RuntimeException classify(String operation, String name, String message, int status) {
        String what = "odoo refused " + operation + ": " + name + " " + message.replaceAll("\\s+", " ").trim();
        if (MISSING.equals(name)) {
            return new CrmRecordGoneException(what);
        }
        if ("werkzeug.exceptions.Unauthorized".equals(name) || "odoo.exceptions.AccessDenied".equals(name)) {
            return new CrmCredentialRejectedException(what + ": check ODOO_API_KEY (keys made in Odoo's UI last 1 day unless set longer; "
                    + "90 days at most for non-admin users) and ODOO_USERNAME");
        }
        if ("builtins.ValueError".equals(name) && message.startsWith("Invalid field")) {
            return new CrmRejectedException(what + ": create that field in Odoo (an administrator must) or remove it from mappings/odoo.yaml");
        }
        if ("psycopg2.OperationalError".equals(name) && message.contains("does not exist")) {
            return new CrmRejectedException(what + ": check ODOO_DB");
        }
        if (REFUSALS.contains(name) || (status >= 400 && status < 500 && status != 408 && status != 429)) {
            return new CrmRejectedException(what);
        }
        return new CrmException(what, true, null);
    }
}
