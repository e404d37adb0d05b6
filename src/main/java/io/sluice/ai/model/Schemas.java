package io.sluice.ai.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON schemas of the structured answers, in the portable strict subset (every property required, no
 * additional properties, no numeric bounds: ranges are checked in code).
 */
final class Schemas {

    private Schemas() {
    }

    static JsonNode leadScore(ObjectMapper json) {
        return read(json, """
                {"type":"object","additionalProperties":false,
                 "required":["reasons","score","tier","confidence","missing_information","injection_suspected"],
                 "properties":{
                  "reasons":{"type":"array","items":{"type":"object","additionalProperties":false,
                    "required":["factor","direction","evidence"],
                    "properties":{"factor":{"type":"string","enum":["tenure","status","payments","refunds","disputes","price","engagement","negative_signal","other"]},
                                  "direction":{"type":"string","enum":["positive","negative"]},
                                  "evidence":{"type":"string"}}}},
                  "score":{"type":"integer"},
                  "tier":{"type":"string","enum":["hot","warm","cold","disqualified"]},
                  "confidence":{"type":"string","enum":["low","medium","high"]},
                  "missing_information":{"type":"array","items":{"type":"string"}},
                  "injection_suspected":{"type":"boolean"}}}""");
    }

    static JsonNode sentiment(ObjectMapper json) {
        return read(json, """
                {"type":"object","additionalProperties":false,"required":["label","score","injection_suspected"],
                 "properties":{"label":{"type":"string","enum":["positive","neutral","negative"]},"score":{"type":"number"},
                               "injection_suspected":{"type":"boolean"}}}""");
    }

    static JsonNode summary(ObjectMapper json) {
        return read(json, """
                {"type":"object","additionalProperties":false,"required":["summary","injection_suspected"],
                 "properties":{"summary":{"type":"string"},"injection_suspected":{"type":"boolean"}}}""");
    }

    static JsonNode emailDraft(ObjectMapper json) {
        return read(json, """
                {"type":"object","additionalProperties":false,"required":["subject","body","injection_suspected"],
                 "properties":{"subject":{"type":"string"},"body":{"type":"string"},"injection_suspected":{"type":"boolean"}}}""");
    }

    private static JsonNode read(ObjectMapper json, String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
