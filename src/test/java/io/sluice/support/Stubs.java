package io.sluice.support;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;

import java.util.List;

/** Helpers for the WireMock stand-ins of the providers. */
public final class Stubs {

    private Stubs() {
    }

    /**
     * Lets a failing stand-in answer healthily again with no moment in between in which it has no stubs at all (a
     * reset followed by new stubs leaves one): a retry landing there would get WireMock's 404 for an unmatched
     * request, which Sluice rightly takes as a refusal. The healthy stubs are added first, then the old ones
     * (failing and healthy alike) removed, and the request journal emptied.
     */
    public static void heal(WireMockServer server, Runnable stubHealthy) {
        List<StubMapping> before = List.copyOf(server.getStubMappings());
        stubHealthy.run();
        before.forEach(server::removeStubMapping);
        server.resetRequests();
    }
}
