package dev.slipway.core.model;

/** The source of a service: exactly one of a code repository or an image repository. */
public record SourceConfiguration(CodeRepository codeRepository, ImageRepository imageRepository,
                                  Boolean autoDeploymentsEnabled,
                                  AuthenticationConfiguration authenticationConfiguration) {
    /** A code source with automatic deployments off. */
    public static SourceConfiguration of(CodeRepository codeRepository) {
        return new SourceConfiguration(codeRepository, null, false, null);
    }
}
