package io.sluice.esign;

import io.sluice.store.PausableWork;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.stream.Stream;

/** The {@code esign} kill switch holds every provider's callbacks and the contracts waiting to be sent. */
@Component
class ESignPausableWork implements PausableWork {

    @Override
    public String target() {
        return "esign";
    }

    @Override
    public List<String> sources() {
        return Stream.concat(ESignProperties.PROVIDERS.stream().filter(provider -> !"none".equals(provider)),
                Stream.of(ContractService.SOURCE)).toList();
    }
}
