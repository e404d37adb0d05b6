package io.sluice.webhook;

/** The ingress contract on the embedded default's H2. */
class WhopIngressH2Test extends WhopIngressContract {
}
