package io.sluice.esign;

import io.sluice.support.OnPostgres;
import io.sluice.support.TestFork;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The DocuSign contract lifecycle on PostgreSQL (every contract SQL path: locks, conditional moves, once-keys), in a
 * schema of its own so that another cached context's inbox poller cannot take its events.
 */
@OnPostgres
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class DocuSignContractsPostgresTest extends DocuSignContractsTest {

    @DynamicPropertySource
    static void ownSchema(DynamicPropertyRegistry registry) {
        String url = System.getenv("SLUICE_TEST_POSTGRES_URL");
        if (url != null) {
            registry.add("spring.datasource.hikari.schema", () -> TestFork.schema("esign"));
            registry.add("spring.flyway.schemas", () -> TestFork.schema("esign"));
        }
    }
}
