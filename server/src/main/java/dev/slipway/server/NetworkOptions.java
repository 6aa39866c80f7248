package dev.slipway.server;

import com.google.common.net.HostAndPort;
import dev.slipway.core.DataPlane;
import dev.slipway.core.Slipway;
import dev.slipway.core.SlipwayBuilder;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code slipway server}'s private networking: private listeners (VPC ingress connections) and security groups. */
final class NetworkOptions {
    @Option(names = "--private-listener", paramLabel = "NAME=ADDRESS:PORT", description = "A private listener of the router "
            + "(repeatable): it serves only the services VPC ingress connections with VpcId NAME reach, each at the "
            + "connection's DomainName (<service>.NAME.<base domain>), and private services (IsPubliclyAccessible false) are "
            + "served nowhere else, e.g. --private-listener internal=127.0.0.2:9080 (port 0: a free one).")
    Map<String, String> privateListeners = new LinkedHashMap<>();

    @Option(names = "--security-group", paramLabel = "NAME=RULES", description = "Defines a security group a VPC connector may "
            + "name (repeatable): RULES is CIDR[:PORT[-PORT]] separated by ';', the only destinations the service's instances "
            + "may reach, e.g. --security-group only-db='10.1.0.0/16:5432;10.2.0.0/16:8000-8100'. Applied as a NetworkPolicy "
            + "with --backend kubernetes.")
    Map<String, String> securityGroups = new LinkedHashMap<>();

    /** Adds the security groups and private listeners to {@code builder}; refuses a listener that is not ADDRESS:PORT. */
    void apply(SlipwayBuilder builder) {
        securityGroups.forEach(builder::securityGroup);
        privateListeners.forEach((name, value) -> {
            HostAndPort at = address(name, value);
            builder.privateListener(name, at.getHost(), at.getPort());
        });
    }

    /** Opens the private listeners on a follower's data plane. */
    void openOn(DataPlane plane) {
        privateListeners.forEach((name, value) -> {
            HostAndPort at = address(name, value);
            plane.openPrivateListener(name, at.getHost(), at.getPort());
        });
    }

    /** Says where each private listener listens. */
    void describe(Slipway slipway, PrintWriter out) {
        privateListeners.forEach((name, value) -> out.println("Private listener " + name + " on " + address(name, value).getHost() + ":"
                + slipway.privateListenerPort(name).orElseThrow() + " (VPC ingress connections with VpcId " + name + ")"));
    }

    private static HostAndPort address(String name, String value) {
        HostAndPort at;
        try {
            at = HostAndPort.fromString(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--private-listener " + name + "=" + value + ": not ADDRESS:PORT");
        }
        if (!at.hasPort()) {
            throw new IllegalArgumentException("--private-listener " + name + "=" + value + ": give a port, e.g. " + at.getHost()
                    + ":9080 (0: a free one)");
        }
        return at;
    }
}
