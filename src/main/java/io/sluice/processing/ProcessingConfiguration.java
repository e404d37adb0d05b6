package io.sluice.processing;

import io.sluice.store.ProcessedEventRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;

/** Beans the processing routes refer to by name. */
@Configuration(proxyBeanMethods = false)
class ProcessingConfiguration {

    /** The idempotent consumer's memory of applied event ids, shared by every replica through the database. */
    @Bean
    ProcessedEventRepository processedEvents(DataSource dataSource) {
        return new ProcessedEventRepository(dataSource, EventProcessor.PROCESSOR_NAME);
    }
}
