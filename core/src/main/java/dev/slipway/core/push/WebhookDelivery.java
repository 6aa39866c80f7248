package dev.slipway.core.push;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One call of a webhook, as it came: its headers (names in any case), its body, and who sent it.
 *
 * @param sourceAddress the caller's IP address, for the record of refused calls
 */
public record WebhookDelivery(Map<String, String> headers, byte[] body, String sourceAddress) {
    public WebhookDelivery {
        TreeMap<String, String> lower = new TreeMap<>();
        headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        headers = java.util.Collections.unmodifiableMap(lower);
        body = body.clone();
    }

    /** A header's value, by its name in lower case. */
    public String header(String name) {
        return headers.get(name);
    }
}
