package dev.slipway.backend.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The label {@code slipway.dev/role} ({@code leader} or {@code follower}) on the pod of a replica of
 * {@code slipway server}, so that a Service can select the leader alone (the API) while another selects every replica
 * (the router), as deploy/kubernetes does.
 */
public final class ReplicaRole {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaRole.class);
    public static final String LABEL = "slipway.dev/role";

    private ReplicaRole() {
    }

    /** Labels pod {@code pod} as the leader or a follower; logged, not thrown, if the API server refuses. */
    public static void set(KubernetesClient client, String namespace, String pod, boolean leader) {
        String role = leader ? "leader" : "follower";
        try {
            client.pods().inNamespace(namespace).withName(pod).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"labels\":{\"" + LABEL + "\":\"" + role + "\"}}}");
        } catch (KubernetesClientException e) {
            LOG.warn("cannot label pod {} {}={} ({}): a Service selecting the leader by it will not find this replica",
                    pod, LABEL, role, e.getMessage());
        }
    }
}
