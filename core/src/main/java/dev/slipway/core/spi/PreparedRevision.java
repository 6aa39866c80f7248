package dev.slipway.core.spi;

import java.util.Map;

/**
 * A built, immutable revision that instances start from. It is stored with the service, so a restarted control
 * plane starts it again without a build.
 *
 * @param location   where the backend keeps it: a workspace path, an image id, ...
 * @param attributes what else the backend needs to start it (e.g. the toolchain's PATH); the backend's own
 * @param run        what each instance runs
 */
public record PreparedRevision(String serviceId, String revisionId, String location, Map<String, String> attributes,
                               RunConfiguration run) {
    /** The attribute an image revision's backend sets: the image by digest, {@code repository@sha256:...}. */
    public static final String DIGEST = "digest";
    /** The attribute the core sets on a revision built from a Git repository: the commit it was built from. */
    public static final String COMMIT = "commit";
    /**
     * The attribute the core sets on a revision whose app speaks HTTP/2 cleartext ({@value #H2C}): apprunner.yaml's
     * {@code slipway.http2}, or the service's tag {@code slipway:http2}. The router then speaks HTTP/2 to its instances.
     */
    public static final String PROTOCOL = "protocol";
    public static final String H2C = "h2c";
    /**
     * The attribute the core sets on a revision a deployment named ({@code slipway:revision-tag}): its instances are
     * reached at {@code <tag>--<service's domain>} while they run, whatever share of the traffic they take.
     */
    public static final String TAG = "tag";

    public PreparedRevision {
        attributes = Map.copyOf(attributes);
    }

    /** Whether its instances speak HTTP/2 cleartext ({@link #PROTOCOL}). */
    public boolean http2() {
        return H2C.equals(attributes.get(PROTOCOL));
    }

    /** The tag a deployment gave it ({@link #TAG}), if any. */
    public java.util.Optional<String> tag() {
        return java.util.Optional.ofNullable(attributes.get(TAG));
    }

    /** The same revision with one more attribute. */
    public PreparedRevision withAttribute(String name, String value) {
        Map<String, String> next = new java.util.LinkedHashMap<>(attributes);
        next.put(name, value);
        return new PreparedRevision(serviceId, revisionId, location, next, run);
    }

    /** The same built artifact with other resources (an UpdateService of InstanceConfiguration needs no build). */
    /** This revision with other secrets (references pinned to their versions). */
    public PreparedRevision withSecrets(Map<String, String> secrets) {
        return new PreparedRevision(serviceId, revisionId, location, attributes, new RunConfiguration(run.startCommand(),
                run.port(), run.portEnv(), run.env(), secrets, run.resources(), run.egress()));
    }

    /** This revision with an instance role's credentials variables (none: without a role), see {@link InstanceCredentials}. */
    public PreparedRevision withInstanceCredentials(Map<String, String> environment) {
        return new PreparedRevision(serviceId, revisionId, location, attributes, run.withInstanceCredentials(environment));
    }

    /** This revision's instances with {@code egress} (a service's VPC connector, or the default). */
    public PreparedRevision withEgress(Egress egress) {
        return new PreparedRevision(serviceId, revisionId, location, attributes, run.withEgress(egress));
    }

    public PreparedRevision withResources(Resources resources) {
        return new PreparedRevision(serviceId, revisionId, location, attributes, run.withResources(resources));
    }
}
