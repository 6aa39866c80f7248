package dev.slipway.core.spi;

/** A started instance, as its backend reports it: its id and the address the router reaches it at. */
public interface InstanceHandle {
    String instanceId();

    /** Host the instance's HTTP endpoint listens on, as the router reaches it. */
    String host();

    /** Port the instance's HTTP endpoint listens on, as the router reaches it. */
    int port();
}
