package io.sluice.cluster;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * How the replicas of one Sluice agree which of them runs the scheduled Whop pulls (docs/operations.md, "Replicas").
 *
 * @param leader      {@code database}: a lock row in the shared database (the default; on the embedded H2 the one
 *                    process always wins it); {@code kubernetes}: a Kubernetes Lease in the pod's namespace
 * @param leaderLease how long a leader that stopped renewing keeps the role: the longest a dead leader's pulls pause
 *                    before another replica takes them over
 * @param kubernetes  where the Lease lives, with {@code leader=kubernetes}
 */
@Validated
@ConfigurationProperties("sluice.cluster")
public record ClusterProperties(
        @DefaultValue("database") @NotNull Leader leader,
        @DefaultValue("15s") @DurationMin(seconds = 3) Duration leaderLease,
        @DefaultValue @Valid @NotNull Kubernetes kubernetes) {

    /** Where leadership is kept. */
    public enum Leader { database, kubernetes }

    /**
     * @param namespace the namespace of the Lease; unset: the pod's own (from its service account)
     * @param leaseName the prefix of the Lease's name (Camel adds the role: {@code <lease-name>-whop-pulls})
     * @param apiUrl    the Kubernetes API server; unset: the one the pod's service account names
     * @param podName   this replica's pod, which must be listed in the namespace to lead; unset: the host name, which
     *                  is the pod's name
     */
    public record Kubernetes(String namespace, @DefaultValue("sluice") @NotBlank String leaseName, String apiUrl,
                             String podName) {
    }
}
