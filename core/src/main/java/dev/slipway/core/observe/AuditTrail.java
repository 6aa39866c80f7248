package dev.slipway.core.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The audit trail: one CloudTrail-shaped record per API call, as JSON lines appended to {@code <dir>/audit.log}
 * (0600), which is rotated by size ({@code audit.log.1} is the newest rotated one, up to {@code keep} are kept).
 * {@link #redacted} replaces what the guide hides in CloudTrail ({@code HIDDEN_DUE_TO_SECURITY_REASONS}: commands,
 * environment variables) and what is secret besides (secrets, tokens, keys), and spells member names as CloudTrail
 * does (lower camel case).
 */
public final class AuditTrail implements AutoCloseable {
    /** What the guide writes in place of a hidden value. */
    public static final String HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";
    public static final String FILE_NAME = "audit.log";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Members whose values are hidden, by their API names. */
    private static final Set<String> HIDDEN_MEMBERS = Set.of("BuildCommand", "StartCommand", "RuntimeEnvironmentVariables",
            "RuntimeEnvironmentSecrets", "Token", "SshPrivateKey", "Secret", "SecretAccessKey", "PrivateKey", "Password");

    private final Path dir;
    private final long maxBytes;
    private final int keep;

    private AuditTrail(Path dir, long maxBytes, int keep) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    /** The trail in {@code dir} (made 0700 if missing), rotated past {@code maxBytes}, {@code keep} rotated files kept. */
    public static AuditTrail open(Path dir, long maxBytes, int keep) {
        try {
            dev.slipway.core.internal.PrivateFiles.directory(dir);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot create the audit directory " + dir + ": " + e.getMessage(), e);
        }
        return new AuditTrail(dir, maxBytes, keep);
    }

    /** Appends one record (one line); rotates first when the file is full. A record that cannot be written is an error. */
    public synchronized void append(ObjectNode record) {
        Path file = dir.resolve(FILE_NAME);
        try {
            byte[] line = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
            if (Files.exists(file) && Files.size(file) + line.length > maxBytes) {
                rotate();
            }
            dev.slipway.core.internal.PrivateFiles.file(file); // made 0600 if new: requests name what was done to what
            Files.write(file, line, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the audit trail " + file, e);
        }
    }

    private void rotate() throws IOException {
        Files.deleteIfExists(dir.resolve(FILE_NAME + "." + keep));
        for (int i = keep - 1; i >= 1; i--) {
            Path from = dir.resolve(FILE_NAME + "." + i);
            if (Files.exists(from)) {
                Files.move(from, dir.resolve(FILE_NAME + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(dir.resolve(FILE_NAME), dir.resolve(FILE_NAME + ".1"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Every record of the trail in {@code dir}, oldest first (rotated files first). */
    public static List<String> lines(Path dir) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> rotated = files.filter(p -> p.getFileName().toString().matches("audit\\.log\\.\\d+"))
                    .sorted((a, b) -> Integer.compare(suffix(b), suffix(a))).toList();
            for (Path p : rotated) {
                out.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
            }
            Path current = dir.resolve(FILE_NAME);
            if (Files.exists(current)) {
                out.addAll(Files.readAllLines(current, StandardCharsets.UTF_8));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit trail in " + dir, e);
        }
        return out;
    }

    private static int suffix(Path p) {
        String name = p.getFileName().toString();
        return Integer.parseInt(name.substring(name.lastIndexOf('.') + 1));
    }

    /**
     * {@code value} (an API request or response, AWS JSON member names) as CloudTrail shows it: member names in lower
     * camel case, hidden members' values replaced by {@link #HIDDEN}. Null stays null.
     */
    public static JsonNode redacted(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (value.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            value.fields().forEachRemaining(e -> out.set(camel(e.getKey()),
                    HIDDEN_MEMBERS.contains(e.getKey()) ? JsonNodeFactory.instance.textNode(HIDDEN) : redactedOrNull(e.getValue())));
            return out;
        }
        if (value.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            value.forEach(v -> out.add(redactedOrNull(v)));
            return out;
        }
        return value;
    }

    private static JsonNode redactedOrNull(JsonNode v) {
        JsonNode r = redacted(v);
        return r == null ? JsonNodeFactory.instance.nullNode() : r;
    }

    /** {@code ServiceArn} → {@code serviceArn}, {@code DNSTarget} → {@code dnsTarget}, {@code VpcDNSTargets} → {@code vpcDNSTargets}. */
    static String camel(String name) {
        int upper = 0;
        while (upper < name.length() && Character.isUpperCase(name.charAt(upper))) {
            upper++;
        }
        if (upper <= 1) {
            return name.isEmpty() ? name : name.substring(0, 1).toLowerCase(Locale.ROOT) + name.substring(1);
        }
        int cut = upper == name.length() ? upper : upper - 1; // the last capital of a run starts the next word
        return name.substring(0, cut).toLowerCase(Locale.ROOT) + name.substring(cut);
    }

    @Override
    public void close() {
        // nothing held open between records
    }
}
