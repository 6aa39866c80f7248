package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.internal.store.StoredTags;
import dev.slipway.core.model.Tag;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tags of connections and auto scaling configurations (a service keeps its own in its record), and the rules every
 * resource's tags follow. Not thread-safe: the writer changes its own copy, readers read a published one.
 */
final class Tags {
    /** As AWS: at most 50 tags per resource. */
    static final int MAX_PER_RESOURCE = 50;

    private final Map<String, Map<String, String>> byArn = new LinkedHashMap<>();

    /** {@code current} with {@code added} set (a key tagged again takes the new value); at most 50 in all. */
    static Map<String, String> merged(String arn, Map<String, String> current, List<Tag> added) {
        Map<String, String> merged = new LinkedHashMap<>(current);
        if (added != null) {
            added.forEach(tag -> merged.put(tag.key(), Objects.requireNonNullElse(tag.value(), "")));
        }
        if (merged.size() > MAX_PER_RESOURCE) {
            throw new InvalidRequestException("A resource has at most " + MAX_PER_RESOURCE + " tags; " + arn + " would have "
                    + merged.size() + ". Remove some with UntagResource first.");
        }
        return merged;
    }

    static Map<String, String> without(Map<String, String> current, List<String> keys) {
        Map<String, String> left = new LinkedHashMap<>(current);
        keys.forEach(left::remove);
        return left;
    }

    static List<Tag> list(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> new Tag(e.getKey(), e.getValue())).toList();
    }

    void add(String arn, List<Tag> tags) {
        if (tags != null) {
            byArn.put(arn, merged(arn, byArn.getOrDefault(arn, Map.of()), tags));
        }
    }

    void remove(String arn, List<String> keys) {
        if (byArn.containsKey(arn)) {
            byArn.put(arn, without(byArn.get(arn), keys));
        }
    }

    void forget(String arn) {
        byArn.remove(arn);
    }

    List<Tag> of(String arn) {
        return list(byArn.getOrDefault(arn, Map.of()));
    }

    StoredTags export() {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        byArn.forEach((arn, t) -> copy.put(arn, new LinkedHashMap<>(t)));
        return new StoredTags(copy);
    }

    /** Replaces every tag with stored ones. */
    void restore(StoredTags stored) {
        byArn.clear();
        stored.byArn().forEach((arn, t) -> byArn.put(arn, new LinkedHashMap<>(t)));
    }
}
