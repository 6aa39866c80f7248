package dev.slipway.core.internal.control;

import java.util.Optional;

/**
 * Where the router serves services, and so their ServiceUrl: {@code <host>:<https-port>} when the router serves HTTPS
 * (App Runner's ServiceUrl has no scheme and is always HTTPS), else {@code <host>:<router-port>}; the port is left out
 * when it is the scheme's own (443, 80) or there is no router.
 */
public final class ServiceUrls {
    private volatile int routerPort;
    private volatile int httpsPort = -1;

    public void routerPort(int port) {
        this.routerPort = port;
    }

    /** Services are served over HTTPS on {@code port} too: their URLs are HTTPS addresses from now on. */
    public void httpsPort(int port) {
        this.httpsPort = port;
    }

    public Optional<Integer> httpsPort() {
        int port = httpsPort;
        return port < 0 ? Optional.empty() : Optional.of(port);
    }

    /** The ServiceUrl of the service whose domain is {@code host}. */
    String of(String host) {
        int https = httpsPort;
        int port = https >= 0 ? https : routerPort;
        return port == (https >= 0 ? 443 : 80) || port <= 0 ? host : host + ":" + port;
    }
}
