package dev.slipway.core.iam;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a policy is evaluated against: the action ({@code apprunner:DeleteService}), the resource's ARN ({@code *} for
 * actions on no resource), and the condition keys of the request with their values ({@code aws:SourceIp},
 * {@code aws:RequestTag/team}, {@code aws:TagKeys}, {@code apprunner:ConnectionArn} ...). Key names are
 * case-insensitive, as IAM's; a key may have several values (aws:TagKeys); a key that is absent is not in the map.
 */
public record RequestContext(String action, String resource, Map<String, List<String>> keys) {
    public RequestContext {
        TreeMap<String, List<String>> normalized = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        keys.forEach((k, v) -> normalized.put(k, List.copyOf(v)));
        keys = java.util.Collections.unmodifiableMap(normalized);
    }

    /** The values of {@code key}, if the request has it. */
    public Optional<List<String>> values(String key) {
        return Optional.ofNullable(keys.get(key));
    }

    /** A policy variable's value ({@code ${aws:username}}), if the request has exactly one. */
    Optional<String> variable(String key) {
        List<String> v = keys.get(key);
        return v == null || v.size() != 1 ? Optional.empty() : Optional.of(v.get(0));
    }

    /** The service prefix of the action, lower case ({@code apprunner}). */
    String service() {
        int colon = action.indexOf(':');
        return colon < 0 ? "" : action.substring(0, colon).toLowerCase(Locale.ROOT);
    }
}
