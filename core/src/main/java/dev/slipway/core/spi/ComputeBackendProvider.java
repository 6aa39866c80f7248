package dev.slipway.core.spi;

/** Creates a {@link ComputeBackend}; found with {@link java.util.ServiceLoader} and chosen by {@link #name()}. */
public interface ComputeBackendProvider {
    String name();

    ComputeBackend create(BackendContext context);
}
