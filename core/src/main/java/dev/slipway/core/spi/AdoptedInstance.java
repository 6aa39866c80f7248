package dev.slipway.core.spi;

/** An instance a previous run of the control plane left running: its handle and its owner labels. */
public record AdoptedInstance(InstanceHandle handle, InstanceSpec spec) {
}
