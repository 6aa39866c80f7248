package dev.slipway.core.spi;

/** A user name and password (or token) for a container registry. Never printed: {@link #toString()} hides the password. */
public record RegistryLogin(String username, String password) {
    @Override
    public String toString() {
        return "RegistryLogin[" + username + ", password hidden]";
    }
}
