package io.sluice.whop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of a Whop list: {@code {"data": [...], "page_info": {"end_cursor", "has_next_page", ...}}}
 *. There is a next page while {@code has_next_page} is true, {@code end_cursor} is set and
 * the page is not empty.
 */
public record WhopPage(List<JsonNode> records, String nextCursor) {

    /** Reads a page; {@link MalformedWhopPageException} when the body is not such a page. */
    public static WhopPage parse(byte[] body, ObjectMapper objectMapper) {
        JsonNode root;
        try {
            root = body == null || body.length == 0 ? null : objectMapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw new MalformedWhopPageException("the page is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedWhopPageException("the page could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new MalformedWhopPageException("the page is not a JSON object");
        }
        JsonNode data = root.path("data");
        if (!data.isArray()) {
            throw new MalformedWhopPageException("the page has no array field 'data'");
        }
        JsonNode pageInfo = root.path("page_info");
        if (!pageInfo.isObject()) {
            throw new MalformedWhopPageException("the page has no object field 'page_info'");
        }
        List<JsonNode> records = new ArrayList<>(data.size());
        data.forEach(records::add);
        JsonNode endCursor = pageInfo.path("end_cursor");
        boolean more = pageInfo.path("has_next_page").asBoolean(false)
                && endCursor.isTextual() && !endCursor.asText().isEmpty() && !records.isEmpty();
        return new WhopPage(records, more ? endCursor.asText() : null);
    }
}
