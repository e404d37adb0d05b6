package io.sluice.crm;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class Uuid5Test {

    private static final UUID DNS = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");

    @Test
    void matchesTheRfcExample() {
        // RFC 9562 appendix A.4: UUIDv5 of "www.example.com" in the DNS namespace
        assertThat(Uuid5.of(DNS, "www.example.com")).isEqualTo(UUID.fromString("2ed6657d-e927-568b-95e1-2665a8aea6a2"));
    }

    @Test
    void theSameKeyAlwaysGivesTheSameIdAndOtherKeysOthers() {
        String id = Uuid5.forObject("opportunity", "mem_Q1w2E3r4T5y6U7");
        assertThat(UUID.fromString(id).version()).isEqualTo(5);
        assertThat(Uuid5.forObject("opportunity", "mem_Q1w2E3r4T5y6U7")).isEqualTo(id);
        assertThat(Uuid5.forObject("note", "mem_Q1w2E3r4T5y6U7")).isNotEqualTo(id);
    }
}
