package dev.slipway.core.model;

/** Network settings of a service. */
public record NetworkConfiguration(EgressConfiguration egressConfiguration, IngressConfiguration ingressConfiguration,
                                   IpAddressType ipAddressType) {
    public static final NetworkConfiguration DEFAULT = new NetworkConfiguration(
            new EgressConfiguration(EgressType.DEFAULT, null), new IngressConfiguration(true), IpAddressType.IPV4);
}
