package io.sluice.mapping;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates a {@code mappings/<provider>.yaml}. Every problem is reported as {@code file:line: reason},
 * all of them at once, so an operator can fix the file in one go.
 */
public final class MappingLoader {

    private static final Set<String> TOP_KEYS = Set.of("provider", "description", "valueMaps", "events");
    private static final Set<String> GROUP_KEYS = Set.of("types", "updatedAt", "person", "opportunity", "note");
    private static final Set<String> FIELD_KEYS = Set.of("path", "constant", "template", "transform", "valueMap", "required", "default", "clear");

    private final Path file;
    private final CrmFieldSchema schema;
    private final List<String> problems = new ArrayList<>();

    private MappingLoader(Path file, CrmFieldSchema schema) {
        this.file = file;
        this.schema = schema;
    }

    public static Mapping load(Path file, CrmFieldSchema schema) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MappingValidationException(List.of(file + ": cannot be read (" + e.getMessage() + ")"));
        }
        return parse(file, text, schema);
    }

    public static Mapping parse(Path file, String text, CrmFieldSchema schema) {
        MappingLoader loader = new MappingLoader(file, schema);
        Mapping mapping = loader.read(text);
        if (!loader.problems.isEmpty()) {
            throw new MappingValidationException(loader.problems);
        }
        return mapping;
    }

    private Mapping read(String text) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
            problems.add(file + ":" + line + ": not valid YAML: " + e.getProblem());
            return null;
        } catch (RuntimeException e) {
            problems.add(file + ":1: not valid YAML: " + e.getMessage());
            return null;
        }
        if (!(root instanceof MappingNode top)) {
            problem(root, "the file must be a YAML map with 'provider', 'valueMaps' and 'events'");
            return null;
        }
        Map<String, Node> entries = entries(top, TOP_KEYS, "top level");
        String provider = scalar(entries.get("provider"), "provider", top);
        String description = entries.containsKey("description") ? scalar(entries.get("description"), "description", top) : "";
        Map<String, Map<String, String>> valueMaps = valueMaps(entries.get("valueMaps"));
        List<EventGroup> groups = new ArrayList<>();
        Node events = entries.get("events");
        if (!(events instanceof MappingNode eventsMap) || eventsMap.getValue().isEmpty()) {
            problem(events == null ? top : events, "'events' must be a map of event groups (membership, payment, ...)");
        } else {
            for (NodeTuple t : eventsMap.getValue()) {
                groups.add(group(key(t), t.getValueNode(), valueMaps));
            }
            checkTypesUnique(groups, eventsMap);
        }
        return new Mapping(provider, description, valueMaps, groups, file);
    }

    private Map<String, Map<String, String>> valueMaps(Node node) {
        Map<String, Map<String, String>> result = new LinkedHashMap<>();
        if (node == null) {
            return result;
        }
        if (!(node instanceof MappingNode maps)) {
            problem(node, "'valueMaps' must be a map of named maps");
            return result;
        }
        for (NodeTuple t : maps.getValue()) {
            if (!(t.getValueNode() instanceof MappingNode values)) {
                problem(t.getValueNode(), "value map '" + key(t) + "' must be a map of 'from: to' entries");
                continue;
            }
            Map<String, String> map = new LinkedHashMap<>();
            for (NodeTuple v : values.getValue()) {
                map.put(key(v), scalar(v.getValueNode(), key(v), values));
            }
            result.put(key(t), map);
        }
        return result;
    }

    private EventGroup group(String name, Node node, Map<String, Map<String, String>> valueMaps) {
        if (!(node instanceof MappingNode groupNode)) {
            problem(node, "event group '" + name + "' must be a map with 'types' and the objects it writes");
            return new EventGroup(name, List.of(), null, Map.of(), Map.of(), Map.of());
        }
        Map<String, Node> entries = entries(groupNode, GROUP_KEYS, "event group '" + name + "'");
        List<String> types = stringList(entries.get("types"), "types", groupNode);
        if (types.isEmpty()) {
            problem(groupNode, "event group '" + name + "' needs a non-empty 'types' list");
        }
        FieldSpec updatedAt = entries.containsKey("updatedAt") ? field("updatedAt", entries.get("updatedAt"), valueMaps) : null;
        var person = object(name, "person", entries.get("person"), schema.person(), CrmFieldSchema.PERSON_KEY, valueMaps);
        var opportunity = object(name, "opportunity", entries.get("opportunity"), schema.opportunity(), CrmFieldSchema.OPPORTUNITY_KEY, valueMaps);
        var note = object(name, "note", entries.get("note"), schema.note(), CrmFieldSchema.NOTE_KEY, valueMaps);
        if (person.isEmpty() && opportunity.isEmpty() && note.isEmpty()) {
            problem(groupNode, "event group '" + name + "' writes nothing: add 'person', 'opportunity' or 'note'");
        }
        return new EventGroup(name, types, updatedAt, person, opportunity, note);
    }

    private Map<String, FieldSpec> object(String group, String objectName, Node node, Set<String> allowed, String keyField,
                                          Map<String, Map<String, String>> valueMaps) {
        Map<String, FieldSpec> fields = new LinkedHashMap<>();
        if (node == null) {
            return fields;
        }
        if (!(node instanceof MappingNode map)) {
            problem(node, objectName + " in '" + group + "' must be a map of CRM field: source");
            return fields;
        }
        for (NodeTuple t : map.getValue()) {
            String fieldName = key(t);
            if (!schema.accepts(allowed, fieldName)) {
                problem(t.getKeyNode(), "unknown " + objectName + " field '" + fieldName + "'; this provider accepts "
                        + allowed.stream().sorted().toList()
                        + (schema.customFieldsHint() == null ? "" : " or " + schema.customFieldsHint()));
                continue;
            }
            fields.put(fieldName, field(fieldName, t.getValueNode(), valueMaps));
        }
        if (!fields.containsKey(keyField)) {
            problem(map, objectName + " in '" + group + "' has no '" + keyField + "': it is the key every write is matched on");
        }
        return fields;
    }

    private FieldSpec field(String name, Node node, Map<String, Map<String, String>> valueMaps) {
        int line = line(node);
        if (node instanceof ScalarNode s) {
            return new FieldSpec(List.of(s.getValue()), null, null, List.of(), null, false, null, line);
        }
        if (node instanceof SequenceNode) {
            return new FieldSpec(stringList(node, name, node), null, null, List.of(), null, false, null, line);
        }
        if (!(node instanceof MappingNode map)) {
            problem(node, "field '" + name + "' must be a path, a list of paths, or a map with path, constant or template");
            return new FieldSpec(List.of(), null, null, List.of(), null, false, null, line);
        }
        Map<String, Node> e = entries(map, FIELD_KEYS, "field '" + name + "'");
        int sources = (e.containsKey("path") ? 1 : 0) + (e.containsKey("constant") ? 1 : 0) + (e.containsKey("template") ? 1 : 0);
        if (sources != 1) {
            problem(map, "field '" + name + "' needs exactly one of 'path', 'constant' or 'template'");
        }
        List<String> paths = e.containsKey("path") ? stringList(e.get("path"), "path", map) : List.of();
        Object constant = e.containsKey("constant") ? scalar(e.get("constant"), "constant", map) : null;
        Template template = null;
        if (e.containsKey("template")) {
            try {
                template = Template.parse(scalar(e.get("template"), "template", map));
                for (Template.Part part : template.parts()) {
                    for (String step : part.steps()) {
                        if (!Transforms.exists(step) && !valueMaps.containsKey(step)) {
                            problem(e.get("template"), "template step '" + step + "' is neither a transform "
                                    + Transforms.names() + " nor a value map " + valueMaps.keySet());
                        }
                    }
                }
            } catch (IllegalArgumentException ex) {
                problem(e.get("template"), "template of field '" + name + "': " + ex.getMessage());
            }
        }
        List<String> transforms = e.containsKey("transform") ? stringList(e.get("transform"), "transform", map) : List.of();
        for (String t : transforms) {
            if (!Transforms.exists(t)) {
                problem(e.get("transform"), "unknown transform '" + t + "'; known: " + Transforms.names());
            }
        }
        String valueMap = e.containsKey("valueMap") ? scalar(e.get("valueMap"), "valueMap", map) : null;
        if (valueMap != null && !valueMaps.containsKey(valueMap)) {
            problem(e.get("valueMap"), "value map '" + valueMap + "' is not defined under 'valueMaps'");
        } else if (valueMap != null && transforms.contains("membershipStage")) {
            for (String stage : MembershipStageRule.STAGES) {
                if (!valueMaps.get(valueMap).containsKey(stage)) {
                    problem(e.get("valueMap"), "value map '" + valueMap + "' has no entry for stage '" + stage + "'");
                }
            }
        }
        boolean required = e.containsKey("required") && "true".equals(scalar(e.get("required"), "required", map));
        Object defaultValue = e.containsKey("default") ? scalar(e.get("default"), "default", map) : null;
        boolean clear = e.containsKey("clear") && "true".equals(scalar(e.get("clear"), "clear", map));
        if (clear && required) {
            problem(map, "field '" + name + "' cannot be both required and clear");
        }
        if (clear && Set.of(CrmFieldSchema.PERSON_KEY, CrmFieldSchema.OPPORTUNITY_KEY, CrmFieldSchema.NOTE_KEY).contains(name)) {
            problem(map, "field '" + name + "' is the key its record is written under and cannot be cleared");
        }
        return new FieldSpec(paths, constant, template, transforms, valueMap, required, defaultValue, clear, line);
    }

    private void checkTypesUnique(List<EventGroup> groups, Node at) {
        Set<String> seen = new java.util.HashSet<>();
        for (EventGroup g : groups) {
            for (String type : g.types()) {
                if (!seen.add(type)) {
                    problem(at, "event type '" + type + "' appears in more than one event group");
                }
            }
        }
    }

    private Map<String, Node> entries(MappingNode map, Set<String> allowed, String where) {
        Map<String, Node> result = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            String key = key(t);
            if (!allowed.contains(key)) {
                problem(t.getKeyNode(), "unknown key '" + key + "' in " + where + "; expected one of " + allowed.stream().sorted().toList());
            }
            result.put(key, t.getValueNode());
        }
        return result;
    }

    private String scalar(Node node, String name, Node parent) {
        if (node == null) {
            problem(parent, "'" + name + "' is missing");
            return null;
        }
        if (!(node instanceof ScalarNode s)) {
            problem(node, "'" + name + "' must be a single value");
            return null;
        }
        return s.getValue();
    }

    private List<String> stringList(Node node, String name, Node parent) {
        if (node == null) {
            return List.of();
        }
        if (node instanceof ScalarNode s) {
            return List.of(s.getValue());
        }
        if (node instanceof SequenceNode seq) {
            List<String> values = new ArrayList<>();
            for (Node item : seq.getValue()) {
                String v = scalar(item, name, parent);
                if (v != null) {
                    values.add(v);
                }
            }
            return values;
        }
        problem(node, "'" + name + "' must be a value or a list of values");
        return List.of();
    }

    private static String key(NodeTuple t) {
        return t.getKeyNode() instanceof ScalarNode s ? s.getValue() : String.valueOf(t.getKeyNode());
    }

    private static int line(Node node) {
        return node == null ? 1 : node.getStartMark().getLine() + 1;
    }

    private void problem(Node node, String reason) {
        problems.add(file + ":" + line(node) + ": " + reason);
    }
}
