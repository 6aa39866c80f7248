package dev.slipway.core.spi;

import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Whether an instance on a backend that shares the host's network listens on the port it was given: for its first
 * minute, every half second, the ports it listens on; once it has listened on others, and not on its own, for two
 * seconds (an app with a fixed port), {@link InstanceEvent.ListeningElsewhere} tells core, so that the deployment fails
 * within seconds, saying why, instead of at the startup timeout.
 */
public final class PortWatch {
    private PortWatch() {
    }

    /**
     * Starts watching.
     *
     * @param listening the ports the instance listens on now
     * @param watching  false once the instance stopped or ended (the watch ends)
     */
    public static void watch(ScheduledExecutorService timer, String instanceId, int port, Supplier<Set<Integer>> listening,
                             BooleanSupplier watching, InstanceListener listener) {
        long started = System.nanoTime();
        timer.schedule(new Runnable() {
            private long elsewhereSince;

            @Override
            public void run() {
                if (!watching.getAsBoolean()) {
                    return;
                }
                Set<Integer> ports = listening.get();
                if (ports.contains(port)) {
                    return;
                }
                long now = System.nanoTime();
                elsewhereSince = ports.isEmpty() ? 0 : elsewhereSince == 0 ? now : elsewhereSince;
                if (elsewhereSince != 0 && now - elsewhereSince >= TimeUnit.SECONDS.toNanos(2)) {
                    listener.onEvent(new InstanceEvent.ListeningElsewhere(instanceId, port, ports.iterator().next()));
                } else if (now - started < TimeUnit.MINUTES.toNanos(1)) {
                    timer.schedule(this, 500, TimeUnit.MILLISECONDS);
                }
            }
        }, 500, TimeUnit.MILLISECONDS);
    }
}
