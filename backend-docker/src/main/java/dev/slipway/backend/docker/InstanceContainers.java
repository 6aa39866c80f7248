package dev.slipway.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.Resources;
import dev.slipway.core.spi.RunConfiguration;
import dev.slipway.core.spi.SecurityGroups;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shape of an instance's container: its environment (with {@code PORT}), its CPU and memory as hard limits, its
 * network (on a bridge, the app's port published on 127.0.0.1 at a free port; on the host's network, {@code PORT} set
 * to a free port), its owner labels, and its entrypoint (the start command, behind a gate that holds it until its
 * egress rules are in place when it has security groups). And, for a container adopted after a restart, where it is
 * reached.
 */
final class InstanceContainers {
    private final DockerClient docker;
    /** The bridge network containers join, with their port published on 127.0.0.1; null: the host's network. */
    private final String network;
    private final VpcNetworks networks;
    private final EgressRules egress;
    private final Optional<Path> keepFor;

    InstanceContainers(DockerClient docker, String network, VpcNetworks networks, EgressRules egress, Optional<Path> keepFor) {
        this.docker = docker;
        this.network = network;
        this.networks = networks;
        this.egress = egress;
        this.keepFor = keepFor;
    }

    /**
     * A container created (not started) for an instance.
     *
     * @param hostPort      where the router reaches it on 127.0.0.1
     * @param port          where the app listens in it (its {@code PORT})
     * @param otherNetworks the VPC connector's networks it joins beside its own, before it starts
     * @param egressRules   the rules to apply once it runs (its start command waits for them); null: none
     * @param hostNetwork   whether it is on the host's network (then {@code port} is {@code hostPort})
     */
    record Created(String id, int hostPort, int port, List<String> otherNetworks, List<SecurityGroups.Rule> egressRules,
                   boolean hostNetwork) {
    }

    Created create(PreparedRevision revision, InstanceSpec spec) {
        RunConfiguration run = revision.run();
        List<String> vpc = networks.forInstance(run.egress());
        // a VPC connector's first subnet is the container's network (a bridge, its port published on 127.0.0.1), the
        // others are joined beside it: the host's network cannot be combined with any other
        String network = vpc.isEmpty() ? this.network : vpc.get(0);
        int hostPort = freePort();
        int port = network == null ? hostPort : run.port(); // on a bridge, the app listens on its own port, as on App Runner
        List<String> env = new ArrayList<>();
        run.environment().forEach((k, v) -> env.add(k + "=" + v));
        env.add("PORT=" + port);
        run.portEnv().ifPresent(name -> env.add(name + "=" + port));
        HostConfig host = HostConfig.newHostConfig().withInit(true)
                .withNanoCPUs(nanoCpus(run.resources())).withMemory(run.resources().memoryMiB() * 1024L * 1024L);
        if (network == null) {
            host.withNetworkMode("host");
        } else {
            host.withNetworkMode(network).withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", hostPort),
                    ExposedPort.tcp(port)));
        }
        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.putAll(ContainerOwners.labels(keepFor));
        CreateContainerCmd create = docker.createContainerCmd(revision.location())
                .withName("slipway-" + spec.serviceName() + "-" + spec.instanceId())
                .withLabels(labels).withEnv(env).withExposedPorts(ExposedPort.tcp(port)).withHostConfig(host);
        List<SecurityGroups.Rule> egressRules = run.egress().securityGroups().isEmpty() ? null
                : egress.rules(networks.subnets(vpc), run.egress().securityGroups());
        if (egressRules != null) { // the app waits until its egress rules are in place
            create.withEntrypoint(egress.gated(revision.location(), run.startCommand())).withCmd(List.of());
        } else {
            run.startCommand().ifPresent(command -> create.withEntrypoint("sh", "-c", command).withCmd(List.of()));
        }
        return new Created(create.exec().getId(), hostPort, port, vpc.subList(Math.min(1, vpc.size()), vpc.size()), egressRules,
                network == null);
    }

    /** Where the router reaches a container made by {@link #create}: its published port, or its {@code PORT} on the host's network. */
    int hostPort(String containerId) {
        InspectContainerResponse inspected = docker.inspectContainerCmd(containerId).exec();
        Ports ports = inspected.getHostConfig().getPortBindings();
        if (ports != null && !ports.getBindings().isEmpty()) {
            for (Ports.Binding[] bindings : ports.getBindings().values()) {
                if (bindings != null && bindings.length > 0) {
                    return Integer.parseInt(bindings[0].getHostPortSpec());
                }
            }
        }
        String[] env = inspected.getConfig().getEnv();
        for (String e : env == null ? new String[0] : env) {
            if (e.startsWith("PORT=")) {
                return Integer.parseInt(e.substring(5));
            }
        }
        return 0;
    }

    private static long nanoCpus(Resources r) {
        return r.cpuUnits() * 1_000_000_000L / 1024;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on 127.0.0.1", e);
        }
    }
}
