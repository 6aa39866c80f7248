package dev.slipway.core.model;

/** The version of source code to deploy: today always a branch. */
public record SourceCodeVersion(SourceCodeVersionType type, String value) {
    public static SourceCodeVersion branch(String branch) {
        return new SourceCodeVersion(SourceCodeVersionType.BRANCH, branch);
    }
}
