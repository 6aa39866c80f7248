package dev.slipway.core.model;

/** A key-value pair attached to a resource. */
public record Tag(String key, String value) {
    public static Tag of(String key, String value) {
        return new Tag(key, value);
    }
}
