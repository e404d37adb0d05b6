package io.sluice.webhook;

import io.sluice.esign.ESignProperties;

/** The {@code source} label of a webhook path: {@code whop}, a known e-sign provider, or {@code esign} (a bounded label). */
public final class WebhookSources {

    private static final String ESIGN = "/webhooks/esign/";

    private WebhookSources() {
    }

    public static String of(String path) {
        if (!path.startsWith(ESIGN)) {
            return "whop";
        }
        String provider = path.substring(ESIGN.length());
        return ESignProperties.PROVIDERS.contains(provider) && !"none".equals(provider) ? provider : "esign";
    }
}
