package dev.slipway.server;

import dev.slipway.core.Slipway;
import dev.slipway.core.SlipwayBuilder;
import dev.slipway.core.model.Runtime;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The docker backend's options of {@code slipway up} and {@code slipway server}: {@code --base-image RUNTIME=IMAGE}, the
 * image a runtime's source services are built on, and {@code --registry-map REGISTRY=OTHER}.
 */
final class BaseImageOption {
    @Option(names = "--base-image", paramLabel = "RUNTIME=IMAGE", description = "With --backend docker or kubernetes: the base image "
            + "source services of RUNTIME (as apprunner.yaml names it: python3, python311, nodejs18, ...) are built on "
            + "(repeatable; defaults: the official images, e.g. python:3-slim, node:18-slim).")
    Map<String, String> baseImages = new LinkedHashMap<>();

    @Option(names = "--registry-map", paramLabel = "REGISTRY=OTHER", description = "With --backend docker or kubernetes: pull images "
            + "named in REGISTRY (e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com) from OTHER (e.g. 127.0.0.1:5000) "
            + "instead, so App Runner's ECR identifiers work unchanged (repeatable).")
    Map<String, String> registryMap = new LinkedHashMap<>();

    @Option(names = "--docker-network", paramLabel = "NAME", description = "With --backend docker: the bridge network "
            + "containers join, each app's port published on 127.0.0.1 (default: 'bridge' if the engine has it, else the "
            + "host's network, where each app listens on the PORT it is given).")
    String network;

    @Option(names = "--create-vpc-networks", description = "With --backend docker: a VPC connector's subnet that names no "
            + "Docker network is created (a bridge) when a service's instance joins it; without it, the deployment fails "
            + "naming the network to create.")
    boolean createVpcNetworks;

    /** Adds the settings to {@code builder}; refuses an unknown runtime, naming the known ones. */
    SlipwayBuilder apply(SlipwayBuilder builder) {
        baseImages.forEach((runtime, image) -> {
            if (Runtime.fromConfigName(runtime).isEmpty()) {
                throw new IllegalArgumentException("--base-image " + runtime + "=" + image + ": unknown runtime '" + runtime
                        + "'; use one of " + String.join(", ", Runtime.configNamesInOrder()));
            }
            builder.backendSetting("docker.base-image." + runtime.trim().toLowerCase(java.util.Locale.ROOT), image);
        });
        registryMap.forEach((from, to) -> builder.backendSetting("docker.registry-map." + from, to));
        if (network != null) {
            builder.backendSetting("docker.network", network);
        }
        if (createVpcNetworks) {
            builder.backendSetting("docker.create-networks", "true");
        }
        return builder;
    }
}
