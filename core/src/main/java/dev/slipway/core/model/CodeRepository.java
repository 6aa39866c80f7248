package dev.slipway.core.model;

/**
 * A source code repository: a Git URL ({@code https://}, {@code file://}) or a local directory ({@code file://} to a
 * directory that is not a Git repository), the branch, the build/run settings and an optional source directory.
 */
public record CodeRepository(String repositoryUrl, SourceCodeVersion sourceCodeVersion,
                             CodeConfiguration codeConfiguration, String sourceDirectory) {
}
