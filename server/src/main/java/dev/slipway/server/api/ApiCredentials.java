package dev.slipway.server.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The access key pair the API server accepts: from {@code SLIPWAY_ACCESS_KEY_ID}/{@code SLIPWAY_SECRET_ACCESS_KEY},
 * or generated at first start and kept in {@code <state-dir>/credentials} in the AWS shared-credentials format
 * (profile {@code slipway}, mode 0600). The secret is never logged.
 */
public record ApiCredentials(String accessKeyId, String secretAccessKey, Optional<Path> file) {
    public static final String PROFILE = "slipway";
    private static final Pattern KEY = Pattern.compile("(?m)^\\s*aws_access_key_id\\s*=\\s*(\\S+)");
    private static final Pattern SECRET = Pattern.compile("(?m)^\\s*aws_secret_access_key\\s*=\\s*(\\S+)");

    /** For clients: the environment's pair, else the state directory's file; never generates one. */
    public static Optional<ApiCredentials> find(Map<String, String> env, Path stateDir) {
        String key = env.get("SLIPWAY_ACCESS_KEY_ID");
        String secret = env.get("SLIPWAY_SECRET_ACCESS_KEY");
        if (key != null && !key.isBlank() && secret != null && !secret.isBlank()) {
            return Optional.of(new ApiCredentials(key.trim(), secret.trim(), Optional.empty()));
        }
        return Files.isRegularFile(stateDir.resolve("credentials")) ? Optional.of(load(env, stateDir)) : Optional.empty();
    }

    /** Credentials from the environment if both variables are set, else from (or into) the state directory. */
    public static ApiCredentials load(Map<String, String> env, Path stateDir) {
        String key = env.get("SLIPWAY_ACCESS_KEY_ID");
        String secret = env.get("SLIPWAY_SECRET_ACCESS_KEY");
        if (key != null && !key.isBlank() && secret != null && !secret.isBlank()) {
            return new ApiCredentials(key.trim(), secret.trim(), Optional.empty());
        }
        Path file = stateDir.resolve("credentials");
        try {
            if (Files.isRegularFile(file)) {
                String text = Files.readString(file);
                Matcher k = KEY.matcher(text);
                Matcher s = SECRET.matcher(text);
                if (k.find() && s.find()) {
                    return new ApiCredentials(k.group(1), s.group(1), Optional.of(file));
                }
            }
            ApiCredentials generated = new ApiCredentials(randomKeyId(), randomSecret(), Optional.of(file));
            Files.createDirectories(stateDir);
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, "[" + PROFILE + "]\naws_access_key_id = " + generated.accessKeyId
                    + "\naws_secret_access_key = " + generated.secretAccessKey + "\n");
            return generated;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the API credentials in " + file, e);
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new random key pair, kept nowhere (for a console {@code slipway up} serves). */
    public static ApiCredentials random() {
        return new ApiCredentials(randomKeyId(), randomSecret(), Optional.empty());
    }

    private static String randomKeyId() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder sb = new StringBuilder("AKIA");
        for (int i = 0; i < 16; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private static String randomSecret() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "ApiCredentials[" + accessKeyId + ", secret hidden]";
    }
}
