package io.sluice.crm.twenty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.sluice.http.ApiResponse;

/**
 * Reads the records out of Twenty's answers to batch writes. Twenty 2.x answers {@code POST /rest/batch/people}
 * with {@code {"data":{"createPeople":[…]}}}; some older code answered {@code {"data":{"people":[…]}}}. Both are
 * read, so a release change on Twenty's side never makes a successful write look like a failure.
 */
final class TwentyAnswers {

    private TwentyAnswers() {
    }

    /** The records of a batch answer for objects of {@code plural} ({@code people}, {@code noteTargets}); missing if none. */
    static JsonNode records(ApiResponse response, String plural) {
        JsonNode data = response.json() == null ? MissingNode.getInstance() : response.json().path("data");
        JsonNode created = data.path("create" + Character.toUpperCase(plural.charAt(0)) + plural.substring(1));
        return created.isArray() ? created : data.path(plural);
    }
}
