package dev.slipway.core.model;

/** Credentials for a private source: a connection for code, an access role for images. */
public record AuthenticationConfiguration(String connectionArn, String accessRoleArn) {
}
