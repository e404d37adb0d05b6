package io.sluice.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * An overlay as {@code kubectl kustomize} renders it, each object read strictly as its Kubernetes type with
 * fabric8's model: a field the type does not have (a typo, a field at the wrong level) fails the read. fabric8 keeps
 * unknown fields in each object's additional properties instead of refusing them, so those must all be empty.
 * The Prometheus Operator's kinds, which fabric8's core model does not have, stay JSON trees.
 */
final class RenderedManifests {

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.of(
            "v1/ServiceAccount", ServiceAccount.class,
            "v1/Service", Service.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "apps/v1/Deployment", Deployment.class,
            "rbac.authorization.k8s.io/v1/Role", Role.class,
            "rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);
    private static final Set<String> OPERATOR_KINDS = Set.of("monitoring.coreos.com/v1/PodMonitor",
            "monitoring.coreos.com/v1/PrometheusRule");

    final List<HasMetadata> objects = new ArrayList<>();
    final List<JsonNode> operatorObjects = new ArrayList<>();

    static RenderedManifests of(String overlay) {
        String yaml = Tool.KUBECTL.succeed(Path.of("."), "kustomize", overlay);
        RenderedManifests rendered = new RenderedManifests();
        for (JsonNode document : documents(yaml)) {
            String type = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
            if (OPERATOR_KINDS.contains(type)) {
                rendered.operatorObjects.add(document);
            } else if (TYPES.containsKey(type)) {
                rendered.objects.add(strictly(document, TYPES.get(type)));
            } else {
                fail(overlay + " renders " + type + " " + document.path("metadata").path("name").asText()
                        + ", which the deployment tests do not know: add its type to RenderedManifests");
            }
        }
        return rendered;
    }

    /** The manifest read as {@code type}; fails naming every field the type does not have. */
    static <T extends HasMetadata> T strictly(JsonNode manifest, Class<T> type) {
        try {
            T object = STRICT.treeToValue(manifest, type);
            List<String> unknown = new ArrayList<>();
            unknownFields(object, type.getSimpleName(), unknown, new IdentityHashMap<>());
            assertThat(unknown).as("fields of %s %s that its Kubernetes type does not have", type.getSimpleName(),
                    object.getMetadata().getName()).isEmpty();
            return object;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> named = all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
        assertThat(named).as("%s %s", type.getSimpleName(), name).hasSize(1);
        return named.get(0);
    }

    JsonNode operatorObject(String kind) {
        List<JsonNode> found = operatorObjects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    private static List<JsonNode> documents(String yaml) {
        try (JsonParser parser = new YAMLFactory().createParser(yaml)) {
            List<JsonNode> documents = new ArrayList<>();
            new ObjectMapper().readValues(parser, JsonNode.class).forEachRemaining(node -> {
                if (node != null && !node.isNull() && !node.isMissingNode()) {
                    documents.add(node);
                }
            });
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void unknownFields(Object value, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, true) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> entries) {
            entries.forEach((key, item) -> unknownFields(item, path + "." + key, unknown, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            try {
                Object field = getter.invoke(value);
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + ": " + extra.keySet());
                    }
                } else {
                    unknownFields(field, path + "." + getter.getName().substring(3), unknown, seen);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
