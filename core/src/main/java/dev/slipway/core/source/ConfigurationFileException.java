package dev.slipway.core.source;

/** apprunner.yaml is missing or wrong; the message names the line and the rule. */
public class ConfigurationFileException extends RuntimeException {
    public ConfigurationFileException(String message) {
        super(message);
    }
}
