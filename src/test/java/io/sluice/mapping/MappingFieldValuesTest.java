package io.sluice.mapping;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.mapping.CrmChange;
import io.sluice.crm.local.LocalCrmConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A field without a value is left out of the change; a field the mapping may clear is sent empty instead. */
class MappingFieldValuesTest {

    @Test
    void blanksAreLeftOutAndClearableFieldsAreSentEmpty(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("local.yaml");
        Files.writeString(file, """
                provider: local
                events:
                  membership:
                    types: [membership.activated]
                    person:
                      email: data.user.email
                      firstName: { path: data.user.name, transform: [firstName] }
                      lastName: { path: data.user.name, transform: [lastName] }
                      whopUserId: { path: data.user.id, clear: true }
                """);
        Mapping mapping = MappingLoader.load(file, LocalCrmConnector.SCHEMA);
        var event = new ObjectMapper().readTree("{\"data\":{\"user\":{\"email\":\"dana@example.com\",\"name\":\"Dana\"}}}");

        CrmChange change = MappingEngine.map(mapping, "e1", "membership.activated", event, Instant.EPOCH);

        assertThat(change.person()).containsEntry("firstName", "Dana").doesNotContainKey("lastName");
        assertThat(change.person()).containsKey("whopUserId");
        assertThat(change.person().get("whopUserId")).isNull();
    }

    @Test
    void aFieldCannotBeBothRequiredAndClear(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("local.yaml");
        Files.writeString(file, """
                provider: local
                events:
                  membership:
                    types: [membership.activated]
                    person:
                      email: { path: data.user.email, required: true, clear: true }
                """);
        assertThatThrownBy(() -> MappingLoader.load(file, LocalCrmConnector.SCHEMA)).hasMessageContaining("both required and clear");
    }
}
