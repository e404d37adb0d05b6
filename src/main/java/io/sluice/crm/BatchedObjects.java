package io.sluice.crm;

import io.sluice.mapping.CrmChange;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The changes of one batch that write the same CRM object (a person by email, an opportunity by membership), and
 * what writing them one by one in source-time order would leave: per field, the value of the newest change that
 * carries it. A membership (with the person's name) and a later payment (without it) then write the name, as the
 * two webhooks would. Only changes the stale guard let through are added.
 */
public final class BatchedObjects {

    private final List<CrmChange> changes;
    private final Map<String, List<Integer>> byKey = new LinkedHashMap<>();

    public BatchedObjects(List<CrmChange> changes) {
        this.changes = changes;
    }

    public void add(String key, int index) {
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(index);
    }

    public boolean isEmpty() {
        return byKey.isEmpty();
    }

    /** Per key, the index of its newest change: the one whose time and event id the write is recorded under. */
    public Map<String, Integer> newest() {
        Map<String, Integer> newest = new LinkedHashMap<>();
        byKey.forEach((key, indexes) -> newest.put(key, indexes.stream().reduce((a, b) -> ChangeKeys.newer(changes, a, b)).orElseThrow()));
        return newest;
    }

    /** The merged fields of {@code key}'s changes; a field a change leaves out keeps the value an older change gave it. */
    public Map<String, Object> fields(String key, Function<CrmChange, Map<String, Object>> part) {
        Map<String, Object> merged = new LinkedHashMap<>();
        byKey.get(key).stream()
                .sorted(Comparator.comparing((Integer i) -> changes.get(i).sourceUpdatedAt()).thenComparing(i -> i))
                .map(i -> part.apply(changes.get(i)))
                .filter(java.util.Objects::nonNull)
                .forEach(merged::putAll);
        return merged;
    }
}
