package dev.slipway.core.model;

/** Where the build and run settings of a code service come from, and the values when they come from the API. */
public record CodeConfiguration(ConfigurationSource configurationSource, CodeConfigurationValues codeConfigurationValues) {
    /** Read the settings from apprunner.yaml at the root of the source directory. */
    public static CodeConfiguration fromRepository() {
        return new CodeConfiguration(ConfigurationSource.REPOSITORY, null);
    }

    /** Use the given values; apprunner.yaml, if any, is ignored. */
    public static CodeConfiguration fromApi(CodeConfigurationValues values) {
        return new CodeConfiguration(ConfigurationSource.API, values);
    }
}
