package io.sluice.ai;

import io.sluice.store.PausableWork;
import org.springframework.stereotype.Component;

import java.util.List;

/** The {@code ai} kill switch holds the lead-score requests. */
@Component
class AiPausableWork implements PausableWork {

    @Override
    public String target() {
        return "ai";
    }

    @Override
    public List<String> sources() {
        return List.of(AiEnrichment.SOURCE);
    }
}
