package io.sluice.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The directions the packages of main may depend in (docs/architecture.md). */
@AnalyzeClasses(packages = "io.sluice", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String[] FEATURES = {"io.sluice.whop..", "io.sluice.webhook..", "io.sluice.crm..", "io.sluice.ai..",
            "io.sluice.esign..", "io.sluice.kafka..", "io.sluice.cluster..", "io.sluice.processing..", "io.sluice.admin..", "io.sluice.routes..", "io.sluice.security.."};

    /** The event, the configuration and the status contract are the bottom: they name no other package of Sluice. */
    @ArchTest
    static final ArchRule theCoreDependsOnNothingAboveIt = noClasses()
            .that().resideInAnyPackage("io.sluice.event..", "io.sluice.config..", "io.sluice.status..")
            .should().dependOnClassesThat().resideInAnyPackage(concat(FEATURES, "io.sluice.http..", "io.sluice.store..", "io.sluice.inbox..",
                    "io.sluice.mapping..", "io.sluice.metrics.."));

    /** Calling out, storing, the inbox, mapping and metrics serve the features and know none of them. */
    @ArchTest
    static final ArchRule theInfrastructureKnowsNoFeature = noClasses()
            .that().resideInAnyPackage("io.sluice.http..", "io.sluice.store..", "io.sluice.inbox..", "io.sluice.mapping..",
                    "io.sluice.metrics..")
            .should().dependOnClassesThat().resideInAnyPackage(FEATURES);

    /** The tables every feature keeps (store) know nothing of the inbox built on them. */
    @ArchTest
    static final ArchRule theStoreKnowsNoInbox = noClasses()
            .that().resideInAPackage("io.sluice.store..")
            .should().dependOnClassesThat().resideInAPackage("io.sluice.inbox..");

    /** No two packages depend on each other, however indirectly. */
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.sluice.(*)..").should().beFreeOfCycles();

    private static String[] concat(String[] first, String... more) {
        String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
