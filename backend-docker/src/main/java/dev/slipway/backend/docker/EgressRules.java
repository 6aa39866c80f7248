package dev.slipway.backend.docker;

import dev.slipway.core.spi.SecurityGroups;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A VPC connector's security groups on Docker: the container's outbound traffic is limited, inside its own network
 * namespace ({@code nsenter} and {@code iptables} on the host, as root), to the connector's subnets (its networks),
 * what its groups allow (their networks and TCP ports), its own loopback (Docker's DNS is there), and its answers to
 * inbound connections (from its app's port); anything else is rejected. The app waits for the rules: its command starts only once a file Slipway puts in the
 * container after applying them appears ({@link #gate}), so it never runs without them.
 */
final class EgressRules {
    /** The file whose presence lets the app start. */
    static final String READY = "/.slipway-egress-ready";
    private final com.github.dockerjava.api.DockerClient docker;
    private final Map<String, List<SecurityGroups.Rule>> groups;

    EgressRules(com.github.dockerjava.api.DockerClient docker, Map<String, String> settings) {
        this.docker = docker;
        this.groups = SecurityGroups.fromSettings(settings);
    }

    /** What an instance may reach: its connector's {@code subnets}, then the rules of the groups named. */
    List<SecurityGroups.Rule> rules(List<String> subnets, List<String> names) {
        List<SecurityGroups.Rule> rules = new ArrayList<>();
        subnets.forEach(cidr -> rules.add(new SecurityGroups.Rule(cidr, 1, 65535)));
        for (String name : names) {
            List<SecurityGroups.Rule> group = groups.get(name);
            if (group == null) {
                throw new IllegalStateException("the VPC connector names security group " + name + ", which this Slipway does not "
                        + "define (slipway server --security-group " + name + "=CIDR[:PORT[-PORT]])");
            }
            rules.addAll(group);
        }
        return rules;
    }

    /** The entry point of a container of {@code image} whose app (its start command, else the image's own) waits for the rules. */
    List<String> gated(String image, java.util.Optional<String> startCommand) {
        if (startCommand.isPresent()) {
            return gate(startCommand.get());
        }
        var config = docker.inspectImageCmd(image).exec().getConfig();
        List<String> argv = new ArrayList<>();
        if (config != null && config.getEntrypoint() != null) {
            argv.addAll(List.of(config.getEntrypoint()));
        }
        if (config != null && config.getCmd() != null) {
            argv.addAll(List.of(config.getCmd()));
        }
        return gate(argv);
    }

    /** A shell command that waits for {@link #READY}, then runs {@code command} ({@code sh -c}). */
    static List<String> gate(String command) {
        return List.of("sh", "-c", "while [ ! -e " + READY + " ]; do :; done; exec sh -c \"$0\"", command);
    }

    /** A shell command that waits for {@link #READY}, then runs {@code argv} as it is (an image's entry point and command). */
    static List<String> gate(List<String> argv) {
        List<String> all = new ArrayList<>(List.of("sh", "-c", "while [ ! -e " + READY + " ]; do :; done; exec \"$@\"", "sh"));
        all.addAll(argv);
        return all;
    }

    /** Applies {@code rules} to the network namespace of process {@code pid} (the container's), the app answering on {@code port}. */
    static void apply(long pid, int port, List<SecurityGroups.Rule> rules) {
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("-A", "OUTPUT", "-o", "lo", "-j", "ACCEPT"));
        commands.add(List.of("-A", "OUTPUT", "-p", "tcp", "--sport", Integer.toString(port), "-j", "ACCEPT"));
        for (SecurityGroups.Rule r : rules) {
            List<String> c = new ArrayList<>(List.of("-A", "OUTPUT", "-d", r.cidr()));
            if (!r.anyPort()) {
                c.addAll(List.of("-p", "tcp", "--dport", r.fromPort() + ":" + r.toPort()));
            }
            c.addAll(List.of("-j", "ACCEPT"));
            commands.add(c);
        }
        commands.add(List.of("-A", "OUTPUT", "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"));
        commands.add(List.of("-A", "OUTPUT", "-j", "REJECT"));
        for (List<String> c : commands) {
            List<String> argv = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n", "iptables", "-w"));
            argv.addAll(c);
            run(argv);
        }
    }

    private static void run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p.getInputStream().transferTo(out);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("cannot apply the security groups' egress rules (" + String.join(" ", argv) + "): "
                        + out.toString(StandardCharsets.UTF_8).trim() + "; they need nsenter and iptables on this host, as root");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot apply the security groups' egress rules: " + e.getMessage()
                    + "; they need nsenter and iptables on this host, as root", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while applying egress rules", e);
        }
    }

    /** Puts the {@link #READY} file into the container: its app starts. */
    static void release(com.github.dockerjava.api.DockerClient docker, String containerId) {
        java.nio.file.Path dir = null;
        try {
            dir = java.nio.file.Files.createTempDirectory("slipway-egress");
            java.nio.file.Path ready = java.nio.file.Files.createFile(dir.resolve(READY.substring(1)));
            docker.copyArchiveToContainerCmd(containerId).withHostResource(ready.toString()).withRemotePath("/").exec();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            if (dir != null) {
                dev.slipway.core.source.SourceFetcher.deleteTree(dir);
            }
        }
    }
}
