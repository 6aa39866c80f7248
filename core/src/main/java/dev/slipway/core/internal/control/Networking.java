package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.model.EgressType;
import dev.slipway.core.model.NetworkConfiguration;
import dev.slipway.core.spi.BackendCapabilities;

/**
 * What a service's NetworkConfiguration may say here: EgressType VPC with the ARN of an active VPC connector, on a
 * backend that attaches one (never silently ignored); a VpcConnectorArn only with EgressType VPC.
 */
final class Networking {
    private Networking() {
    }

    /** Checks {@code n} (null: the defaults) of a service being created or updated; under the state's lock. */
    static void check(NetworkConfiguration n, ControlState state, String backend, BackendCapabilities capabilities) {
        if (n == null) {
            return;
        }
        var egress = n.egressConfiguration();
        if (egress != null) {
            boolean vpc = egress.egressType() == EgressType.VPC;
            String arn = egress.vpcConnectorArn();
            if (!vpc && arn != null) {
                throw new InvalidRequestException("NetworkConfiguration.EgressConfiguration.VpcConnectorArn is only for EgressType VPC; "
                        + "set EgressType to VPC to use the connector, or leave the ARN out");
            }
            if (vpc && arn == null) {
                throw new InvalidRequestException("NetworkConfiguration.EgressConfiguration.VpcConnectorArn is required with EgressType "
                        + "VPC: the ARN of an active VPC connector (aws apprunner create-vpc-connector)");
            }
            if (vpc && state.vpcConnectors().active(arn, "NetworkConfiguration.EgressConfiguration.VpcConnectorArn").isEmpty()) {
                throw new InvalidRequestException("NetworkConfiguration.EgressConfiguration.VpcConnectorArn " + arn
                        + " names no active VPC connector; create one first (aws apprunner list-vpc-connectors shows those there are)");
            }
            if (vpc && !capabilities.vpcEgress()) {
                throw new InvalidRequestException("EgressType VPC: the " + backend + " backend cannot attach a VPC connector yet"
                        + (backend.equals("local") ? " (its instances are processes that share this host's network); run the "
                        + "service on the docker or kubernetes backend" : "") + ", or use EgressType DEFAULT");
            }
        }
    }
}
