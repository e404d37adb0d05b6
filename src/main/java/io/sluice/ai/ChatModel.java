package io.sluice.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One language model's wire protocol: build a request (system, user data, optional JSON schema), send it, read the answer. */
public interface ChatModel {

    /** A model's answer: its text, whether it was cut off at the token limit, and the tokens it cost. */
    record Answer(String content, boolean truncated, AiResults.Usage usage) {
    }

    ObjectNode request(String system, String user, String schemaName, JsonNode schema, int maxTokens);

    /**
     * @throws AiQuotaException when the provider says quota or billing is exhausted
     * @throws AiCallException  for other failures; retryable ones carry the wait the provider asked for
     */
    Answer send(ObjectNode request);
}
