package dev.slipway.core.spi;

import java.lang.management.ManagementFactory;

/**
 * The caps the router keeps on client connections, so that no client can take every file descriptor: past them a new
 * connection is answered 503 with {@code Retry-After} and closed, and the refusal is logged. (nginx's equivalents are
 * {@code worker_connections} and {@code limit_conn}; HAProxy's, {@code maxconn}.)
 *
 * @param maxConnections          client connections open at once, all addresses together
 * @param maxConnectionsPerClient client connections open at once from one address
 */
public record RouterLimits(int maxConnections, int maxConnectionsPerClient) {
    /** Per address: 1,024; in all: half the descriptors the process may open less a reserve (each may hold two), at most 100,000. */
    public static final RouterLimits DEFAULT = new RouterLimits(defaultMaxConnections(), 1024);

    public RouterLimits {
        if (maxConnections < 1 || maxConnectionsPerClient < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1 (got " + maxConnections + " and "
                    + maxConnectionsPerClient + ")");
        }
    }

    /** Each proxied connection may hold two descriptors (the client's and the instance's); 256 are kept for the rest. */
    static int defaultMaxConnections() {
        long descriptors = 4096;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            descriptors = unix.getMaxFileDescriptorCount();
        }
        return (int) Math.max(64, Math.min(100_000, (descriptors - 256) / 2));
    }
}
