package dev.slipway.core.internal.control;

import dev.slipway.core.Quotas;
import dev.slipway.core.internal.Arns;
import dev.slipway.core.internal.store.StateSchema;
import java.util.Map;

/**
 * What the services share: connections, auto scaling and observability configurations, tags, secrets and VPC connectors. Mutable, so
 * {@link ControlState}'s writer changes a {@link #copy} and publishes it once saved; each is one document of the state.
 */
record SharedResources(Connections connections, AutoScalingConfigurations autoScaling, ObservabilityConfigurations observability,
                       Tags tags, SecretStore secrets, VpcConnectors vpcConnectors, IngressConnections ingressConnections) {

    /** None yet: the implicit DefaultConfiguration only. */
    static SharedResources empty(Arns arns, Quotas quotas) {
        return new SharedResources(new Connections(arns, quotas.connections()),
                new AutoScalingConfigurations(arns, quotas.autoScalingConfigurationNames(), quotas.revisionsPerName()),
                new ObservabilityConfigurations(arns, quotas.autoScalingConfigurationNames(), quotas.revisionsPerName()), new Tags(),
                new SecretStore(arns.region(), arns.account()), new VpcConnectors(arns, quotas.vpcConnectors()),
                new IngressConnections(arns));
    }

    /** A copy a writer may change without a reader seeing it. */
    SharedResources copy(Arns arns, Quotas quotas) {
        SharedResources copy = empty(arns, quotas);
        copy.connections().restore(connections.export());
        copy.autoScaling().restore(autoScaling.export());
        copy.observability().restore(observability.export());
        copy.secrets().restore(secrets.export());
        copy.tags().restore(tags.export());
        copy.vpcConnectors().restore(vpcConnectors.export());
        copy.ingressConnections().restore(ingressConnections.export());
        return copy;
    }

    /** The state documents they are saved as, by key. */
    Map<String, String> documents() {
        return Map.of(StateSchema.CONNECTIONS, StateSchema.write(connections.export()),
                StateSchema.AUTO_SCALING, StateSchema.write(autoScaling.export()),
                StateSchema.OBSERVABILITY, StateSchema.write(observability.export()),
                StateSchema.TAGS, StateSchema.write(tags.export()),
                StateSchema.SECRETS, StateSchema.write(secrets.export()),
                StateSchema.VPC_CONNECTORS, StateSchema.write(vpcConnectors.export()),
                StateSchema.INGRESS_CONNECTIONS, StateSchema.write(ingressConnections.export()));
    }
}
