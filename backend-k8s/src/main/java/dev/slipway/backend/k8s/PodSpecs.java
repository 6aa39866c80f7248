package dev.slipway.backend.k8s;

import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.model.HealthCheckProtocol;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.RegistryLogin;
import dev.slipway.core.spi.Resources;
import dev.slipway.core.spi.RunConfiguration;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes objects of a service, as pure functions of what core asks for: one pod per instance, a Secret per
 * revision with its RuntimeEnvironmentSecrets (never in the pod spec in clear), an image pull Secret where a login is
 * needed, and one ConfigMap per service that owns them all, so that deleting it lets Kubernetes collect the rest.
 *
 * <p>Labels select (managed-by, control plane, service id, revision, instance: all valid label values); annotations
 * carry the SPI's owner labels as they are (a service ARN is no valid label value), so {@code adopt} reads them back.
 */
final class PodSpecs {
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String SLIPWAY = "slipway";
    static final String SERVICE_ID = "slipway.dev/service-id";
    static final String PORT = "slipway.dev/port";
    static final String CONTAINER = "app";

    private PodSpecs() {
    }

    /** A DNS label made of {@code name}: lower case, other characters as '-', at most {@code max} characters. */
    static String dnsLabel(String name, int max) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        s = s.substring(0, Math.min(s.length(), max)).replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "x" : s;
    }

    static String podName(InstanceSpec spec) {
        return "slipway-" + dnsLabel(spec.serviceName(), 30) + "-" + dnsLabel(spec.instanceId(), 20);
    }

    static String ownerName(String serviceId) {
        return "slipway-svc-" + dnsLabel(serviceId, 40);
    }

    static String secretName(PreparedRevision revision) {
        return "slipway-" + dnsLabel(revision.serviceId(), 32) + "-" + dnsLabel(revision.revisionId(), 28) + "-env";
    }

    static String pullSecretName(String serviceId, String revisionId) {
        return "slipway-" + dnsLabel(serviceId, 32) + "-" + dnsLabel(revisionId, 28) + "-pull";
    }

    /** Labels of everything of one service. */
    static Map<String, String> serviceLabels(String serviceId) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, SLIPWAY);
        labels.put(SERVICE_ID, dnsLabel(serviceId, 63));
        return labels;
    }

    /** The per-service object that owns the service's pods and Secrets. */
    static ConfigMap owner(String serviceId, String serviceName, String serviceArn) {
        return new ConfigMapBuilder().withNewMetadata().withName(ownerName(serviceId)).withLabels(serviceLabels(serviceId))
                .endMetadata().withData(Map.of("service-name", serviceName, "service-arn", serviceArn)).build();
    }

    /** The Kubernetes Service of a Slipway service: {@code <name>-<first 8 of its id>} ({@code s-} first if that starts with a digit). */
    static String kubeServiceName(String serviceName, String serviceId) {
        String name = dnsLabel(dnsLabel(serviceName, 40) + "-" + serviceId.substring(0, Math.min(8, serviceId.length())), 63);
        return name.matches("[a-z].*") ? name : dnsLabel("s-" + name, 63); // a Service's name starts with a letter
    }

    /** A Service in front of the service's Ready pods, port 80 to the pods' {@code http} port, for clients in the cluster. */
    static Service kubeService(String serviceName, String serviceId, OwnerReference owner) {
        Map<String, String> selector = serviceLabels(serviceId);
        return new ServiceBuilder().withNewMetadata().withName(kubeServiceName(serviceName, serviceId)).withLabels(selector)
                .withOwnerReferences(owner).endMetadata().withNewSpec().withSelector(selector).addNewPort().withName("http")
                .withPort(80).withTargetPort(new IntOrString("http")).withProtocol("TCP").endPort().endSpec().build();
    }

    static OwnerReference ownedBy(ConfigMap owner) {
        return new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap").withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid()).withBlockOwnerDeletion(false).build();
    }

    /** The revision's secrets, keyed by variable name. */
    static Secret secrets(PreparedRevision revision, OwnerReference owner) {
        Map<String, String> data = new LinkedHashMap<>();
        revision.run().secrets().forEach((k, v) -> data.put(k, base64(v)));
        return new SecretBuilder().withNewMetadata().withName(secretName(revision)).withLabels(serviceLabels(revision.serviceId()))
                .withOwnerReferences(owner).endMetadata().withType("Opaque").withData(data).build();
    }

    /** A {@code kubernetes.io/dockerconfigjson} Secret with one registry's login. */
    static Secret pullSecret(String name, String registry, RegistryLogin login, Map<String, String> labels,
                             Optional<OwnerReference> owner) {
        String auth = base64(login.username() + ":" + login.password());
        String config = "{\"auths\":{\"" + registry + "\":{\"username\":" + json(login.username()) + ",\"password\":"
                + json(login.password()) + ",\"auth\":\"" + auth + "\"}}}";
        return new SecretBuilder().withNewMetadata().withName(name).withLabels(labels)
                .withOwnerReferences(owner.map(List::of).orElse(List.of())).endMetadata()
                .withType("kubernetes.io/dockerconfigjson").withData(Map.of(".dockerconfigjson", base64(config))).build();
    }

    /**
     * The pod of one instance.
     *
     * @param port        the port the app listens on (PORT): its own in pod-IP mode, an assigned one on the host network
     * @param pullSecrets names of image pull Secrets
     */
    static Pod pod(PreparedRevision revision, InstanceSpec spec, HealthCheckConfiguration health, int port, boolean hostNetwork,
                   int graceSeconds, OwnerReference owner, List<String> pullSecrets) {
        RunConfiguration run = revision.run();
        Map<String, String> labels = new LinkedHashMap<>(serviceLabels(revision.serviceId()));
        labels.put(InstanceSpec.CONTROL_PLANE, dnsLabel(spec.controlPlaneId(), 63));
        labels.put(InstanceSpec.REVISION, dnsLabel(spec.revisionId(), 63));
        labels.put(InstanceSpec.INSTANCE, dnsLabel(spec.instanceId(), 63));
        Map<String, String> annotations = new LinkedHashMap<>(spec.labels());
        annotations.put(PORT, Integer.toString(port));
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("PORT", Integer.toString(port), null));
        run.portEnv().ifPresent(name -> env.add(new EnvVar(name, Integer.toString(port), null)));
        run.env().forEach((k, v) -> env.add(new EnvVar(k, v, null)));
        run.secrets().keySet().forEach(k -> env.add(new EnvVarBuilder().withName(k).withNewValueFrom().withNewSecretKeyRef()
                .withName(secretName(revision)).withKey(k).endSecretKeyRef().endValueFrom().build()));
        Map<String, Quantity> limits = limits(run.resources());
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(podName(spec)).withLabels(labels)
                .withAnnotations(annotations).withOwnerReferences(owner).endMetadata()
                .withNewSpec().withRestartPolicy("Never").withTerminationGracePeriodSeconds((long) graceSeconds)
                .withHostNetwork(hostNetwork).withDnsPolicy(hostNetwork ? "ClusterFirstWithHostNet" : "ClusterFirst")
                .withEnableServiceLinks(false)
                .addNewContainer().withName(CONTAINER).withImage(revision.location())
                .withImagePullPolicy(revision.location().contains("@") ? "IfNotPresent" : "Always")
                .withEnv(env).addNewPort().withName("http").withContainerPort(port).withProtocol("TCP")
                .withHostPort(hostNetwork ? port : null).endPort()
                .withNewResources().withRequests(limits).withLimits(limits).endResources()
                .withStartupProbe(probe(health, port, 1, 60))
                .withReadinessProbe(probe(health, port, health.healthyThreshold(), health.unhealthyThreshold()))
                .withLivenessProbe(probe(health, port, 1, health.unhealthyThreshold()))
                .endContainer().endSpec();
        run.startCommand().ifPresent(command -> pod.editSpec().editFirstContainer().withCommand("sh", "-c", command)
                .withArgs(List.of()).endContainer().endSpec());
        pullSecrets.forEach(name -> pod.editSpec().addNewImagePullSecret(name).endSpec());
        return pod.build();
    }

    /** Requests equal limits: InstanceConfiguration's CPU (1024 units a vCPU) and memory. */
    static Map<String, Quantity> limits(Resources r) {
        Map<String, Quantity> m = new LinkedHashMap<>();
        m.put("cpu", new Quantity(Math.max(1, r.cpuUnits() * 1000L / 1024) + "m"));
        m.put("memory", new Quantity(r.memoryMiB() + "Mi"));
        return m;
    }

    private static Probe probe(HealthCheckConfiguration hc, int port, int successThreshold, int failureThreshold) {
        ProbeBuilder p = new ProbeBuilder().withPeriodSeconds(hc.interval()).withTimeoutSeconds(hc.timeout())
                .withSuccessThreshold(successThreshold).withFailureThreshold(failureThreshold);
        if (hc.protocol() == HealthCheckProtocol.HTTP) {
            p.withNewHttpGet().withPath(hc.path()).withPort(new IntOrString(port)).endHttpGet();
        } else {
            p.withNewTcpSocket().withPort(new IntOrString(port)).endTcpSocket();
        }
        return p.build();
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
