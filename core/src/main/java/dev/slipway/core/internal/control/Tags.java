package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.model.Tag;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Tags of services, connections and auto scaling configurations. Not thread-safe: used under {@link ControlState}'s lock. */
final class Tags {
    private final Map<String, Map<String, String>> byArn = new LinkedHashMap<>();

    /** As AWS: at most 50 tags per resource. */
    static final int MAX_PER_RESOURCE = 50;

    void add(String arn, List<Tag> tags) {
        if (tags != null) {
            Map<String, String> merged = new LinkedHashMap<>(byArn.getOrDefault(arn, Map.of()));
            tags.forEach(tag -> merged.put(tag.key(), ""));
            if (merged.size() > MAX_PER_RESOURCE) {
                throw new InvalidRequestException("A resource has at most " + MAX_PER_RESOURCE + " tags; " + arn + " would have "
                        + merged.size() + ". Remove some with UntagResource first.");
            }
            Map<String, String> t = byArn.computeIfAbsent(arn, k -> new LinkedHashMap<>());
            tags.forEach(tag -> t.put(tag.key(), Objects.requireNonNullElse(tag.value(), "")));
        }
    }

    void remove(String arn, List<String> keys) {
        Map<String, String> t = byArn.get(arn);
        if (t != null) {
            keys.forEach(t::remove);
        }
    }

    void forget(String arn) {
        byArn.remove(arn);
    }

    List<Tag> of(String arn) {
        return byArn.getOrDefault(arn, Map.of()).entrySet().stream().map(e -> new Tag(e.getKey(), e.getValue())).toList();
    }

    Map<String, Map<String, String>> export() {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        byArn.forEach((arn, t) -> copy.put(arn, new LinkedHashMap<>(t)));
        return copy;
    }

    /** Replaces every tag with saved ones. */
    void restore(Map<String, Map<String, String>> saved) {
        byArn.clear();
        saved.forEach((arn, t) -> byArn.put(arn, new LinkedHashMap<>(t)));
    }
}
