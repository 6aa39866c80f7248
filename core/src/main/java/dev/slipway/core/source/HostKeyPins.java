package dev.slipway.core.source;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SSH host keys a connection has seen, by host: the first key a host presents is pinned, and a later different
 * key is refused (trust on first use, as OpenSSH's {@code StrictHostKeyChecking=accept-new}).
 */
public final class HostKeyPins {
    private final Map<String, String> fingerprints = new ConcurrentHashMap<>();

    public HostKeyPins(Map<String, String> pinned) {
        fingerprints.putAll(pinned);
    }

    /** Whether {@code fingerprint} may be trusted for {@code host}; pins it if the host is new. */
    public boolean accept(String host, String fingerprint) {
        return fingerprints.computeIfAbsent(host, h -> fingerprint).equals(fingerprint);
    }

    public Optional<String> pinned(String host) {
        return Optional.ofNullable(fingerprints.get(host));
    }

    /** A copy of the pins, for the state store. */
    public Map<String, String> snapshot() {
        return Map.copyOf(fingerprints);
    }
}
