package io.sluice.webhook;

/** The {@code source} label of a webhook path: {@code whop}, a known e-sign provider, or {@code esign} (a bounded label). */
public final class WebhookSources {

    private static final String ESIGN = "/webhooks/esign/";
    /** The e-sign providers with a callback path ({@code none}: e-sign off); {@code sluice.esign.provider} takes one of them. */
    public static final java.util.List<String> ESIGN_PROVIDERS = java.util.List.of("none", "docusign", "dropboxsign", "pandadoc");

    private WebhookSources() {
    }

    public static String of(String path) {
        if (!path.startsWith(ESIGN)) {
            return "whop";
        }
        String provider = path.substring(ESIGN.length());
        return ESIGN_PROVIDERS.contains(provider) && !"none".equals(provider) ? provider : "esign";
    }
}
