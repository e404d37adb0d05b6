package io.sluice.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * A WireMock Whop API: list endpoints under {@code /api/v1} that answer cursor pages
 * {@code {"data": [...], "page_info": {...}}}, only to requests carrying the API key and the pinned version.
 * Records are copies of the documented examples in {@code src/test/resources/whop/} with other ids and people.
 */
public final class WhopApiStub {

    public static final String API_KEY = "whop_test_key_0123456789abcdef";
    public static final String COMPANY = "biz_Xa1b2C3d4E5f6G";
    public static final String VERSION = "2026-07-20";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WireMockServer server;
    private final String bearer;

    public WhopApiStub(WireMockServer server) {
        this(server, API_KEY);
    }

    /** A Whop that accepts only {@code bearer} (an OAuth access token, say). */
    public WhopApiStub(WireMockServer server, String bearer) {
        this.server = server;
        this.bearer = bearer;
    }

    public String baseUrl() {
        return server.baseUrl() + "/api/v1";
    }

    /** Serves {@code records} of a resource as pages of {@code pageSize}; cursors are {@code <resource>-p<n>}. */
    public void pages(String resource, List<ObjectNode> records, int pageSize) {
        int pageCount = Math.max(1, (records.size() + pageSize - 1) / pageSize);
        for (int page = 0; page < pageCount; page++) {
            List<ObjectNode> slice = records.subList(page * pageSize, Math.min(records.size(), (page + 1) * pageSize));
            boolean last = page == pageCount - 1;
            server.stubFor(page(resource, page).willReturn(okJson(pageBody(slice, last ? null : cursor(resource, page + 1)))));
        }
    }

    /** A request for page {@code n} (0 = first) of a resource, as Sluice must send it. */
    public MappingBuilder page(String resource, int n) {
        return get(urlPathEqualTo("/api/v1/" + resource))
                .withHeader("Authorization", equalTo("Bearer " + bearer))
                .withHeader("Api-Version-Date", equalTo(VERSION))
                .withQueryParam("company_id", equalTo(COMPANY))
                .withQueryParam("after", n == 0 ? absent() : equalTo(cursor(resource, n)));
    }

    /** Answers page {@code n} of a resource with {@code response} instead (429, 500, a malformed body ...). */
    public void answer(String resource, int n, ResponseDefinitionBuilder response) {
        server.stubFor(page(resource, n).willReturn(response));
    }

    public static String cursor(String resource, int n) {
        return resource + "-p" + n;
    }

    public static String pageBody(List<ObjectNode> records, String nextCursor) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode data = body.putArray("data");
        records.forEach(data::add);
        ObjectNode pageInfo = body.putObject("page_info");
        pageInfo.put("end_cursor", nextCursor);
        pageInfo.put("start_cursor", (String) null);
        pageInfo.put("has_next_page", nextCursor != null);
        pageInfo.put("has_previous_page", false);
        return body.toString();
    }

    /** Membership {@code mem_t<i>} of user {@code user_t<i>} ({@code person<i>@example.com}). */
    public static ObjectNode membership(int i, String status, boolean cancelAtPeriodEnd, String updatedAt) {
        ObjectNode m = example("membership.json");
        m.put("id", "mem_t" + i);
        m.put("status", status);
        m.put("cancel_at_period_end", cancelAtPeriodEnd);
        m.put("updated_at", updatedAt);
        m.put("manage_url", "https://whop.com/billing/manage/mem_t" + i);
        m.putObject("member").put("id", "mber_t" + i);
        user(m, i);
        return m;
    }

    public static ObjectNode member(int i, String updatedAt) {
        ObjectNode m = example("member.json");
        m.put("id", "mber_t" + i);
        m.put("updated_at", updatedAt);
        user(m, i);
        return m;
    }

    /** Payment {@code pay_t<i>} for membership {@code mem_t<membership>}. */
    public static ObjectNode payment(int i, int membership, String substatus, String updatedAt) {
        ObjectNode p = example("payment.json");
        p.put("id", "pay_t" + i);
        p.put("substatus", substatus);
        p.put("updated_at", updatedAt);
        p.putObject("membership").put("id", "mem_t" + membership).put("status", "active");
        user(p, membership);
        return p;
    }

    public static List<ObjectNode> list(int count, java.util.function.IntFunction<ObjectNode> record) {
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            records.add(record.apply(i));
        }
        return records;
    }

    private static void user(ObjectNode record, int i) {
        ObjectNode user = record.putObject("user");
        user.put("id", "user_t" + i);
        user.put("email", "Person" + i + "@Example.com");
        user.put("name", "Person Number" + i);
        user.put("username", "person" + i);
    }

    private static ObjectNode example(String file) {
        try (InputStream in = WhopApiStub.class.getResourceAsStream("/whop/" + file)) {
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
