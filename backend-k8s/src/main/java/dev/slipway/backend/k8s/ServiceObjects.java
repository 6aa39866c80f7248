package dev.slipway.backend.k8s;

import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.PreparedRevision;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The objects of a service besides its pods: the ConfigMap that owns them all, the revisions' Secrets, and (with
 * {@code kubernetes.services}) a Kubernetes Service for clients in the cluster. Created on first use, removed with
 * the service.
 */
final class ServiceObjects {
    private final KubernetesClient client;
    private final String namespace;
    private final boolean kubeServices;
    private final Map<String, ConfigMap> owners = new ConcurrentHashMap<>();

    ServiceObjects(KubernetesClient client, String namespace, boolean kubeServices) {
        this.client = client;
        this.namespace = namespace;
        this.kubeServices = kubeServices;
    }

    /** The reference to the service's owner object, created (with the service's Kubernetes Service) on first use. */
    OwnerReference owner(String serviceId, InstanceSpec spec) {
        return PodSpecs.ownedBy(owners.computeIfAbsent(serviceId, id -> {
            var resource = client.configMaps().inNamespace(namespace).resource(PodSpecs.owner(id, spec.serviceName(), spec.serviceArn()));
            ConfigMap owner;
            try {
                owner = resource.create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                owner = resource.get(); // created by an earlier run
            }
            if (kubeServices) {
                client.services().inNamespace(namespace).resource(PodSpecs.kubeService(spec.serviceName(), id, PodSpecs.ownedBy(owner)))
                        .createOr(NonDeletingOperation::update);
            }
            return owner;
        }));
    }

    /** Creates or replaces a Secret. */
    void apply(Secret secret) {
        client.secrets().inNamespace(namespace).resource(secret).createOr(NonDeletingOperation::update);
    }

    /** Removes a revision's Secrets. */
    void discard(PreparedRevision revision) {
        client.secrets().inNamespace(namespace).withName(PodSpecs.secretName(revision)).delete();
        client.secrets().inNamespace(namespace).withName(PodSpecs.pullSecretName(revision.serviceId(), revision.revisionId())).delete();
        client.network().v1().networkPolicies().inNamespace(namespace).withName(EgressPolicies.name(revision)).delete();
    }

    /**
     * Removes everything of a deleted service: its owner (the garbage collector removes what it owned) and, for a
     * cluster without one, its Secrets, NetworkPolicies and Service by label.
     */
    void forget(String serviceId) {
        owners.remove(serviceId);
        client.configMaps().inNamespace(namespace).withName(PodSpecs.ownerName(serviceId))
                .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        client.secrets().inNamespace(namespace).withLabels(PodSpecs.serviceLabels(serviceId)).delete();
        client.network().v1().networkPolicies().inNamespace(namespace).withLabels(PodSpecs.serviceLabels(serviceId)).delete();
        if (kubeServices) {
            client.services().inNamespace(namespace).withLabels(PodSpecs.serviceLabels(serviceId)).list().getItems()
                    .forEach(s -> client.services().inNamespace(namespace).withName(s.getMetadata().getName()).delete());
        }
    }
}
