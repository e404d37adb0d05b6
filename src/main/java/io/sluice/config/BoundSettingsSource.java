package io.sluice.config;

import org.apache.camel.spi.PropertiesSource;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Answers the routes' {@code {{sluice.*}}} placeholders from the bound and validated properties records, so a route
 * names a setting without repeating its default: the records' {@code @DefaultValue}s are the one source. Durations
 * are rendered as milliseconds and data sizes as bytes, the form Camel's options take.
 * <p>
 * Camel finds this bean in the registry ({@code camel.component.properties.auto-discover-properties-sources}) and asks
 * it before the Spring environment, which camel-spring-boot consults last; application.yaml turns Camel's own reading
 * of OS environment variables and JVM system properties to fallback, so those reach the routes through the records
 * too (relaxed binding, validation) rather than as raw strings.
 */
@Component
public class BoundSettingsSource implements PropertiesSource {

    private static final String PREFIX = "sluice";

    private final ListableBeanFactory beans;
    private volatile Map<String, String> values;

    public BoundSettingsSource(ListableBeanFactory beans) {
        this.beans = beans;
    }

    @Override
    public String getName() {
        return "sluice-settings";
    }

    @Override
    public String getProperty(String name) {
        if (!name.startsWith(PREFIX + ".")) {
            return null;
        }
        return values().get(name);
    }

    /** Every {@code sluice.*} key a record binds, with its value as Camel reads it; keys of unset values are absent. */
    public Map<String, String> values() {
        Map<String, String> current = values;
        if (current == null) {
            // read once the records exist: they are immutable, and route reloads see what start-up saw
            current = new TreeMap<>();
            for (String name : beans.getBeanNamesForAnnotation(ConfigurationProperties.class)) {
                ConfigurationProperties annotation = beans.findAnnotationOnBean(name, ConfigurationProperties.class);
                String prefix = annotation == null ? "" : annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
                if (prefix.equals(PREFIX) || prefix.startsWith(PREFIX + ".")) {
                    flatten(prefix, beans.getBean(name), current);
                }
            }
            values = current;
        }
        return current;
    }

    /** The components of {@code settings} under {@code prefix}, as Spring binds them (kebab-case names). */
    static void flatten(String prefix, Object settings, Map<String, String> into) {
        for (RecordComponent component : settings.getClass().getRecordComponents()) {
            String key = prefix + "." + DataObjectPropertyName.toDashedForm(component.getName());
            Object value;
            try {
                value = component.getAccessor().invoke(settings);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Cannot read " + key, e);
            }
            put(key, value, into);
        }
    }

    private static void put(String key, Object value, Map<String, String> into) {
        if (value == null) {
            return;
        }
        if (value.getClass().isRecord()) {
            flatten(key, value, into);
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> put(key + "." + k, v, into));
        } else if (value instanceof Collection<?> list) {
            // lists of records (e-sign rules) are no placeholder value: only lists of plain values are offered
            if (list.stream().allMatch(element -> element != null && !element.getClass().isRecord())) {
                into.put(key, String.join(",", list.stream().map(BoundSettingsSource::render).toList()));
            }
        } else {
            into.put(key, render(value));
        }
    }

    private static String render(Object value) {
        if (value instanceof Duration duration) {
            return Long.toString(duration.toMillis());
        }
        if (value instanceof DataSize size) {
            return Long.toString(size.toBytes());
        }
        if (value instanceof Enum<?> constant) {
            return constant.name();
        }
        return value.toString();
    }
}
