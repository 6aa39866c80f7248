package dev.slipway.backend.k8s;

import dev.slipway.core.store.ControlPlaneState;
import dev.slipway.core.store.StateJson;
import dev.slipway.core.store.StateStore;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The control plane's state in the Kubernetes API, so that {@code slipway server} runs as a stateless Deployment: one
 * Secret for the control plane's own part (connections, auto scaling configurations, tags) and one per service, each
 * holding its JSON. Secrets, because the state holds connection tokens and RuntimeEnvironmentSecrets (a cluster that
 * encrypts Secrets at rest encrypts these too), and because reading and writing them needs no custom resource
 * definition and no cluster-wide right. A save writes only the objects whose content changed, each with the
 * resourceVersion it was read or written with: if another control plane wrote in between, the API server refuses
 * (409 Conflict) and the save fails instead of overwriting; with leader election that only happens to a control plane
 * that lost its lease. The control plane's Secret is written first on every save (it counts them), so that a stale
 * control plane's save is refused even when it only adds a service.
 */
public final class KubernetesStateStore implements StateStore {
    static final String STATE = "slipway.dev/state";
    private static final String KEY = "state.json";

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    /** What was read or written last, by object name: its JSON and its resourceVersion. */
    private final Map<String, Stored> stored = new HashMap<>();
    private long serial;

    private record Stored(String json, String resourceVersion) {
    }

    /** The control plane's own part of the state; {@code serial} counts the saves. */
    private record ControlPart(int version, long serial, List<ControlPlaneState.ConnectionState> connections,
                               ControlPlaneState.AutoScalingState autoScaling, Map<String, Map<String, String>> tags) {
    }

    /**
     * @param name names this control plane's state (its Secrets are {@code <name>-state...}), so that several control
     *             planes can share a namespace
     */
    public KubernetesStateStore(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = PodSpecs.dnsLabel(name, 40);
    }

    /** Stable across restarts and machines: the instances this control plane labels are adopted by its next leader. */
    @Override
    public Optional<String> controlPlaneId() {
        return Optional.of(PodSpecs.dnsLabel("k8s-" + namespace + "-" + name, 63));
    }

    @Override
    public synchronized Optional<ControlPlaneState> load() {
        stored.clear();
        List<Secret> secrets = client.secrets().inNamespace(namespace).withLabel(STATE, name).list().getItems();
        Secret control = null;
        List<ControlPlaneState.ServiceState> services = new ArrayList<>();
        try {
            for (Secret s : secrets) {
                String json = json(s);
                stored.put(s.getMetadata().getName(), new Stored(json, s.getMetadata().getResourceVersion()));
                if (s.getMetadata().getName().equals(controlName())) {
                    control = s;
                } else {
                    services.add(StateJson.MAPPER.readValue(json, ControlPlaneState.ServiceState.class));
                }
            }
            if (control == null) {
                if (!services.isEmpty()) {
                    throw new IOException("service Secrets exist but " + controlName() + " does not");
                }
                return Optional.empty();
            }
            ControlPart part = StateJson.MAPPER.readValue(json(control), ControlPart.class);
            serial = part.serial();
            services.sort(Comparator.comparing(ControlPlaneState.ServiceState::createdAt, Comparator.nullsFirst(Comparator.naturalOrder()))
                    .thenComparing(ControlPlaneState.ServiceState::name, Comparator.nullsFirst(Comparator.naturalOrder())));
            return Optional.of(StateJson.checked(new ControlPlaneState(part.version(), services, part.connections(),
                    part.autoScaling(), part.tags())));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot read Slipway's state from the Secrets labelled " + STATE + "=" + name
                    + " in namespace " + namespace + " (" + e.getMessage() + "); delete them to start empty, or restore "
                    + "them from a backup", e);
        }
    }

    @Override
    public synchronized void save(ControlPlaneState state) {
        // the control plane's Secret is written on every save, first: a fence that no save of a stale control plane passes
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put(controlName(), write(new ControlPart(state.version(), ++serial, state.connections(), state.autoScaling(), state.tags())));
        for (ControlPlaneState.ServiceState s : state.services()) {
            wanted.put(serviceName(s.id()), write(s));
        }
        for (Map.Entry<String, String> e : wanted.entrySet()) {
            Stored before = stored.get(e.getKey());
            if (before == null || !before.json().equals(e.getValue())) {
                put(e.getKey(), e.getValue(), before);
            }
        }
        for (String gone : List.copyOf(stored.keySet())) {
            if (!wanted.containsKey(gone)) {
                client.secrets().inNamespace(namespace).withName(gone).delete();
                stored.remove(gone);
            }
        }
    }

    private void put(String object, String json, Stored before) {
        Secret secret = new SecretBuilder().withNewMetadata().withName(object).withNamespace(namespace)
                .addToLabels(PodSpecs.MANAGED_BY, PodSpecs.SLIPWAY).addToLabels(STATE, name)
                .withResourceVersion(before == null ? null : before.resourceVersion()).endMetadata()
                .withType("Opaque").addToData(KEY, Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))).build();
        try {
            Secret written = before == null ? client.secrets().inNamespace(namespace).resource(secret).create()
                    : client.secrets().inNamespace(namespace).resource(secret).update();
            stored.put(object, new Stored(json, written.getMetadata().getResourceVersion()));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw new IllegalStateException("Secret " + object + " in namespace " + namespace + " was changed by another "
                        + "control plane since this one read it (another replica leads now?): not overwriting it", e);
            }
            throw e;
        }
    }

    private String controlName() {
        return name + "-state";
    }

    private String serviceName(String serviceId) {
        return name + "-state-svc-" + PodSpecs.dnsLabel(serviceId, 40);
    }

    private static String json(Secret s) {
        String data = s.getData() == null ? null : s.getData().get(KEY);
        if (data == null) {
            throw new IllegalArgumentException("Secret " + s.getMetadata().getName() + " has no " + KEY);
        }
        return new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
    }

    private static String write(Object value) {
        try {
            return StateJson.MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write Slipway's state as JSON", e);
        }
    }
}
