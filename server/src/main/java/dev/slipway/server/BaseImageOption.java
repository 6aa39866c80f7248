package dev.slipway.server;

import dev.slipway.core.Slipway;
import dev.slipway.core.model.Runtime;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --base-image RUNTIME=IMAGE}: the image a runtime's source services are built on by the docker backend. */
final class BaseImageOption {
    @Option(names = "--base-image", paramLabel = "RUNTIME=IMAGE", description = "With --backend docker: the base image "
            + "source services of RUNTIME (as apprunner.yaml names it: python3, python311, nodejs18, ...) are built on "
            + "(repeatable; defaults: the official images, e.g. python:3-slim, node:18-slim).")
    Map<String, String> baseImages = new LinkedHashMap<>();

    /** Adds the settings to {@code builder}; refuses an unknown runtime, naming the known ones. */
    Slipway.Builder apply(Slipway.Builder builder) {
        baseImages.forEach((runtime, image) -> {
            if (Runtime.fromConfigName(runtime).isEmpty()) {
                throw new IllegalArgumentException("--base-image " + runtime + "=" + image + ": unknown runtime '" + runtime
                        + "'; use one of " + String.join(", ", Runtime.configNamesInOrder()));
            }
            builder.backendSetting("docker.base-image." + runtime.trim().toLowerCase(java.util.Locale.ROOT), image);
        });
        return builder;
    }
}
