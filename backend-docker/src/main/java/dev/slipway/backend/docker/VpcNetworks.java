package dev.slipway.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import dev.slipway.core.spi.Egress;
import java.util.List;

/**
 * A VPC connector on Docker: each of its subnets names a user-defined network the service's containers join (so they
 * reach the containers on it by name, as an App Runner service reaches a private database through its VPC), created
 * when missing if the backend setting {@value #CREATE_SETTING} is {@code true}, else refused naming the network.
 * Its security groups are applied to the containers by {@link EgressRules}.
 */
final class VpcNetworks {
    static final String CREATE_SETTING = "docker.create-networks";
    private final DockerClient docker;
    private final boolean create;

    VpcNetworks(DockerClient docker, boolean create) {
        this.docker = docker;
        this.create = create;
    }

    /** The networks an instance with {@code egress} joins, in order (none for the default egress), each existing now. */
    List<String> forInstance(Egress egress) {
        if (!egress.attached()) {
            return List.of();
        }
        for (String network : egress.networks()) {
            boolean exists = docker.listNetworksCmd().withNameFilter(network).exec().stream().anyMatch(n -> n.getName().equals(network));
            if (exists) {
                continue;
            }
            if (!create) {
                throw new IllegalStateException("the VPC connector's subnet " + network + " names no Docker network; create it "
                        + "(docker network create " + network + ") or start slipway server with --create-vpc-networks");
            }
            try {
                docker.createNetworkCmd().withName(network).withDriver("bridge").withCheckDuplicate(true).exec();
            } catch (ConflictException createdMeanwhile) {
                // another instance's start made it first
            }
        }
        return egress.networks();
    }

    /** The IPv4 subnets of {@code networks} (as Docker's IPAM gave or was told them), which a connector always reaches. */
    List<String> subnets(List<String> networks) {
        List<String> cidrs = new java.util.ArrayList<>();
        for (String network : networks) {
            var ipam = docker.inspectNetworkCmd().withNetworkId(network).exec().getIpam();
            if (ipam != null && ipam.getConfig() != null) {
                ipam.getConfig().stream().map(c -> c.getSubnet()).filter(c -> c != null && !c.contains(":")).forEach(cidrs::add);
            }
        }
        return cidrs;
    }
}
