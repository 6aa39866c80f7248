package dev.slipway.core.model;

/** The source of a service: exactly one of a code repository or an image repository. */
public record SourceConfiguration(CodeRepository codeRepository, ImageRepository imageRepository,
                                  Boolean autoDeploymentsEnabled,
                                  AuthenticationConfiguration authenticationConfiguration) {
    /** A code source with automatic deployments off. */
    public static SourceConfiguration of(CodeRepository codeRepository) {
        return new SourceConfiguration(codeRepository, null, false, null);
    }

    /**
     * The source code in a local directory, built and run as its apprunner.yaml says. A plain directory is deployed as
     * it is; a Git repository at the head of its branch {@code main} (or as its working tree, with
     * {@code Slipway.builder().deployWorkingTrees(true)}).
     */
    public static SourceConfiguration directory(java.nio.file.Path directory) {
        return git(directory.toAbsolutePath().normalize().toString(), "main");
    }

    /** The head of {@code branch} of a Git repository ({@code https://}, {@code ssh://}, {@code file://} or a path), built and run as its apprunner.yaml says. */
    public static SourceConfiguration git(String repositoryUrl, String branch) {
        return of(new CodeRepository(repositoryUrl, SourceCodeVersion.branch(branch), CodeConfiguration.fromRepository(), null));
    }
}
