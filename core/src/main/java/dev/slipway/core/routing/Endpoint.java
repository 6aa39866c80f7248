package dev.slipway.core.routing;

/**
 * An instance's HTTP endpoint.
 *
 * @param http2 the instance speaks HTTP/2 cleartext (h2c with prior knowledge, e.g. a gRPC server), as its revision
 *              says ({@link dev.slipway.core.spi.PreparedRevision#http2()}); else HTTP/1.1
 */
public record Endpoint(String instanceId, String host, int port, boolean http2) {
    /** An HTTP/1.1 endpoint. */
    public Endpoint(String instanceId, String host, int port) {
        this(instanceId, host, port, false);
    }
}
