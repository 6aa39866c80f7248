package dev.slipway.server;

import dev.slipway.core.Slipway;
import dev.slipway.core.SlipwayBuilder;
import dev.slipway.core.spi.RouterTimeouts;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code slipway server}'s options for what Slipway does beyond App Runner: WebSockets' limits, scale to zero. */
final class ExtensionOptions {
    @Option(names = "--allow-scale-to-zero", description = "Allow auto scaling configurations with MinSize 0 (a Slipway "
            + "extension; App Runner's MinSize is 1 to 25): their services stop their last instance after --idle-before-zero "
            + "without a request, stay RUNNING, and the next request waits while an instance starts.")
    boolean allowScaleToZero;

    @Option(names = "--idle-before-zero", paramLabel = "SECONDS", description = "With --allow-scale-to-zero: how long a "
            + "service with MinSize 0 goes without a request before it scales to zero (default: ${DEFAULT-VALUE}).",
            defaultValue = "300")
    long idleBeforeZeroSeconds;

    @Option(names = "--websocket-idle-timeout", paramLabel = "SECONDS", description = "A WebSocket (any switched connection) "
            + "that passes no byte either way for this long is closed by the router with 1001 going away; 0: never "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "3600")
    long websocketIdleSeconds;

    @Option(names = "--websocket-max-lifetime", paramLabel = "SECONDS", description = "A WebSocket is closed (1001) after this "
            + "long whatever its use; 0 (the default): no limit. The request timeout bounds only its handshake.",
            defaultValue = "0")
    long websocketLifetimeSeconds;

    /** The router's timeouts with these WebSocket limits. */
    RouterTimeouts routerTimeouts() {
        if (websocketIdleSeconds < 0 || websocketLifetimeSeconds < 0) {
            throw new IllegalArgumentException("--websocket-idle-timeout and --websocket-max-lifetime are seconds, 0 or more");
        }
        return RouterTimeouts.DEFAULT.withTunnels(Duration.ofSeconds(websocketIdleSeconds), Duration.ofSeconds(websocketLifetimeSeconds));
    }

    /** Sets the router's timeouts and, if allowed, scale to zero on {@code builder}. */
    SlipwayBuilder apply(SlipwayBuilder builder) {
        builder.routerTimeouts(routerTimeouts());
        if (allowScaleToZero) {
            if (idleBeforeZeroSeconds < 1) {
                throw new IllegalArgumentException("--idle-before-zero is a number of seconds, 1 or more");
            }
            builder.scaleToZero(Duration.ofSeconds(idleBeforeZeroSeconds));
        }
        return builder;
    }
}
