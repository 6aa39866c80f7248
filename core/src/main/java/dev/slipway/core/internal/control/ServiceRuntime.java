package dev.slipway.core.internal.control;

import dev.slipway.core.Timeouts;
import dev.slipway.core.build.PlanOverrides;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.internal.runtime.HealthProbes;
import dev.slipway.core.observe.LogStreams;
import dev.slipway.core.source.SourceUrlPolicy;
import dev.slipway.core.spi.ComputeBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/** What running services needs: the backend, the routes, logs, health probes, timeouts and where sources go. */
public record ServiceRuntime(String controlPlaneId, ComputeBackend backend, RoutingTable routing, LogStreams logs,
                             HealthProbes probes, Timeouts timeouts, Path sourcesDir, String baseDomain,
                             Function<String, PlanOverrides> planOverrides, boolean workingTrees, Optional<List<Path>> allowedSourceDirectories,
                             SourceUrlPolicy sourceUrlPolicy, Optional<String> serviceIdSeed,
                             dev.slipway.core.spi.InstanceCredentials instanceCredentials,
                             Optional<dev.slipway.core.crypto.KeyRing> keyRing, Optional<java.time.Duration> idleBeforeZero) {
    /** A new service's id: random, or derived from the seed and the name (the same every time). */
    String newServiceId(String name) {
        if (serviceIdSeed.isEmpty()) {
            return UUID.randomUUID().toString().replace("-", "");
        }
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest((serviceIdSeed.get() + "\n" + name)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
