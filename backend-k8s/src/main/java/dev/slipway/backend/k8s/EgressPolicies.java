package dev.slipway.backend.k8s;

import dev.slipway.core.spi.Egress;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.SecurityGroups;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VPC connector on Kubernetes: a NetworkPolicy per revision that uses one, selecting that revision's pods, with
 * egress rules for DNS (port 53, anywhere), for each of the connector's subnets (a namespace: every pod in it), and
 * then either everything (no security groups: App Runner's default security group allows all outbound traffic) or
 * exactly the security groups' rules (their networks and ports, as {@code ipBlock}s). Enforced by the cluster's network
 * plugin, where it enforces NetworkPolicies.
 */
final class EgressPolicies {
    private final Map<String, List<SecurityGroups.Rule>> groups;

    EgressPolicies(Map<String, String> settings) {
        this.groups = SecurityGroups.fromSettings(settings);
    }

    /** The policy of a revision whose egress is attached. */
    NetworkPolicy policy(PreparedRevision revision, Egress egress, OwnerReference owner) {
        Map<String, String> selector = new LinkedHashMap<>(PodSpecs.serviceLabels(revision.serviceId()));
        selector.put(InstanceSpec.REVISION, PodSpecs.dnsLabel(revision.revisionId(), 63));
        List<NetworkPolicyEgressRule> rules = new ArrayList<>();
        rules.add(new NetworkPolicyEgressRuleBuilder().addToPorts(new NetworkPolicyPortBuilder().withProtocol("UDP")
                .withPort(new IntOrString(53)).build(), new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(53))
                .build()).build());
        NetworkPolicyEgressRuleBuilder subnets = new NetworkPolicyEgressRuleBuilder();
        for (String namespace : egress.networks()) {
            subnets.addToTo(new NetworkPolicyPeerBuilder().withNewNamespaceSelector()
                    .addToMatchLabels("kubernetes.io/metadata.name", namespace).endNamespaceSelector().build());
        }
        rules.add(subnets.build());
        if (egress.securityGroups().isEmpty()) {
            rules.add(new NetworkPolicyEgressRule()); // to anywhere: the default security group
        }
        for (String name : egress.securityGroups()) {
            List<SecurityGroups.Rule> group = groups.get(name);
            if (group == null) {
                throw new IllegalStateException("the VPC connector names security group " + name + ", which this Slipway does not define");
            }
            for (SecurityGroups.Rule rule : group) {
                NetworkPolicyEgressRuleBuilder r = new NetworkPolicyEgressRuleBuilder().addToTo(new NetworkPolicyPeerBuilder()
                        .withNewIpBlock().withCidr(rule.cidr()).endIpBlock().build());
                if (!rule.anyPort()) {
                    r.addToPorts(new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(rule.fromPort()))
                            .withEndPort(rule.toPort() == rule.fromPort() ? null : rule.toPort()).build());
                }
                rules.add(r.build());
            }
        }
        return new NetworkPolicyBuilder().withNewMetadata().withName(name(revision)).withLabels(PodSpecs.serviceLabels(revision.serviceId()))
                .withOwnerReferences(owner).endMetadata()
                .withNewSpec().withNewPodSelector().withMatchLabels(selector).endPodSelector().withPolicyTypes("Egress")
                .withEgress(rules).endSpec().build();
    }

    /** {@code slipway-egress-<revision>}. */
    static String name(PreparedRevision revision) {
        return PodSpecs.dnsLabel("slipway-egress-" + revision.revisionId(), 63);
    }
}
