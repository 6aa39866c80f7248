package dev.slipway.backend.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.core.spi.RegistryLogin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The kubernetes backend's settings, each given as {@code kubernetes.<key>} (the server's {@code --namespace},
 * {@code --registry}, {@code --registry-credentials} and {@code --host-network} set them).
 *
 * @param namespace           where pods, Secrets and per-service objects go (default: the kubeconfig's, or {@code default})
 * @param registry            {@code HOST[:PORT]/PREFIX} that source builds are pushed to and pods pull from; empty: no source builds
 * @param registryLogin       the login for {@code registry}, from a JSON file {@code {"username": ..., "password": ...}}
 * @param hostNetwork         pods on the node's network, each with a port the backend assigns from {@code hostPorts}
 *                            (single-node clusters); otherwise the router reaches each pod at its pod IP and its own port
 * @param firstHostPort       first port of the host-network range ({@code kubernetes.host-ports=FIRST-LAST})
 * @param lastHostPort        last port of that range
 * @param graceSeconds        the pods' terminationGracePeriodSeconds
 * @param services            also a Kubernetes Service per Slipway service, for clients in the cluster
 */
record KubernetesSettings(Optional<String> namespace, Optional<String> registry, Optional<RegistryLogin> registryLogin,
                          boolean hostNetwork, int firstHostPort, int lastHostPort, int graceSeconds, boolean services) {
    static final String PREFIX = "kubernetes.";

    static KubernetesSettings from(Map<String, String> settings) {
        String ports = settings.getOrDefault(PREFIX + "host-ports", "20000-29999");
        String[] range = ports.split("-");
        if (range.length != 2) {
            throw new IllegalArgumentException("kubernetes.host-ports must be FIRST-LAST, e.g. 20000-29999; got " + ports);
        }
        Optional<String> registry = Optional.ofNullable(settings.get(PREFIX + "registry")).map(KubernetesSettings::registry);
        return new KubernetesSettings(Optional.ofNullable(settings.get(PREFIX + "namespace")), registry,
                Optional.ofNullable(settings.get(PREFIX + "registry-credentials")).map(f -> login(Path.of(f))),
                Boolean.parseBoolean(settings.getOrDefault(PREFIX + "host-network", "false")),
                Integer.parseInt(range[0].trim()), Integer.parseInt(range[1].trim()),
                Integer.parseInt(settings.getOrDefault(PREFIX + "grace-seconds", "30")),
                Boolean.parseBoolean(settings.getOrDefault(PREFIX + "services", "false")));
    }

    /** {@code HOST[:PORT]/PREFIX}, checked: a registry host and at least one path element. */
    private static String registry(String value) {
        String trimmed = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        int slash = trimmed.indexOf('/');
        if (slash <= 0 || slash == trimmed.length() - 1 || !trimmed.matches("[A-Za-z0-9.\\-]+(:[0-9]+)?(/[a-z0-9._\\-]+)+")) {
            throw new IllegalArgumentException("--registry must be HOST[:PORT]/PREFIX (e.g. registry.example.com:5000/slipway), "
                    + "where source builds are pushed to and pods pull from; got " + value);
        }
        return trimmed;
    }

    /** Reads a registry login file: {@code {"username": "...", "password": "..."}}. */
    static RegistryLogin login(Path file) {
        try {
            JsonNode json = new ObjectMapper().readTree(Files.readString(file));
            if (json == null || !json.hasNonNull("username") || !json.hasNonNull("password")) {
                throw new IOException("it must hold {\"username\": \"...\", \"password\": \"...\"}");
            }
            return new RegistryLogin(json.get("username").asText(), json.get("password").asText());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the registry credentials in " + file + ": " + e.getMessage(), e);
        }
    }

    /** The registry's host (and port), as image pull secrets name it. */
    Optional<String> registryHost() {
        return registry.map(r -> r.substring(0, r.indexOf('/')));
    }
}
