package io.sluice.processing;

/** Processing semantics on the embedded default's H2. */
class EventProcessingH2Test extends EventProcessingContract {
}
