package dev.slipway.core.observe;

/** Sees every line written to any service's log streams, e.g. to print a deployment's progress. */
@FunctionalInterface
public interface LogListener {
    /**
     * @param serviceName the service the stream belongs to
     * @param stream      {@code events}, {@code deployment/<operation-id>} or {@code instance/<instance-id>}
     * @param line        the line, without a trailing newline
     */
    void onLine(String serviceName, String stream, String line);
}
