package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.internal.store.StoredSecrets;
import dev.slipway.core.secrets.Parameter;
import dev.slipway.core.secrets.SecretSummary;
import dev.slipway.core.secrets.SecretValue;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Slipway's own secret store, in the shapes of the small part of AWS Secrets Manager and SSM Parameter Store that App
 * Runner users use: secrets by name with versions (the newest is AWSCURRENT), and parameters. A service's
 * RuntimeEnvironmentSecrets (and apprunner.yaml {@code run.secrets}) reference them by ARN; their values are resolved
 * when its instances start ({@link #resolve}), never kept in its configuration. Not thread-safe: the writer changes
 * its own copy, readers read a published one.
 */
public final class SecretStore {
    private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]{1,512}");
    private static final Pattern PARAMETER_NAME = Pattern.compile("/?[A-Za-z0-9_.\\-/]{1,1011}");
    private static final char[] SUFFIX = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();
    private static final int MAX_VALUE = 65536;

    private final String region;
    private final String account;
    private final Map<String, StoredSecrets.Secret> secrets = new LinkedHashMap<>();
    private final Map<String, StoredSecrets.Parameter> parameters = new LinkedHashMap<>();
    private final SecureRandom random = new SecureRandom();

    public SecretStore(String region, String account) {
        this.region = region;
        this.account = account;
    }

    /** A new secret with its first version. */
    public SecretValue create(String name, String value, String description) {
        if (name == null || !SECRET_NAME.matcher(name).matches()) {
            throw new InvalidRequestException("Name must be 1 to 512 of letters, digits and /_+=.@-, not '" + name + "'");
        }
        checkValue(value, "SecretString");
        if (secrets.containsKey(name)) {
            throw new ResourceExistsException("The secret " + name + " already exists; change its value with PutSecretValue");
        }
        StringBuilder suffix = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            suffix.append(SUFFIX[random.nextInt(SUFFIX.length)]);
        }
        Instant now = Instant.now();
        StoredSecrets.Version v = new StoredSecrets.Version(UUID.randomUUID().toString(), value, now, true);
        StoredSecrets.Secret s = new StoredSecrets.Secret(name, "arn:aws:secretsmanager:" + region + ":" + account + ":secret:"
                + name + "-" + suffix, description, now, now, List.of(v));
        secrets.put(name, s);
        return value(s, v);
    }

    /** A new AWSCURRENT version of the secret {@code id} (its name or ARN). */
    public SecretValue put(String id, String value) {
        checkValue(value, "SecretString");
        StoredSecrets.Secret s = secret(id);
        Instant now = Instant.now();
        List<StoredSecrets.Version> versions = new ArrayList<>();
        s.versions().forEach(v -> versions.add(new StoredSecrets.Version(v.id(), v.secretValue(), v.createdAt(), false)));
        StoredSecrets.Version next = new StoredSecrets.Version(UUID.randomUUID().toString(), value, now, true);
        versions.add(next);
        while (versions.size() > 10) { // the previous ones are kept a while, for instances still running with them
            versions.remove(0);
        }
        secrets.put(s.name(), new StoredSecrets.Secret(s.name(), s.arn(), s.description(), s.createdAt(), now, versions));
        return value(secrets.get(s.name()), next);
    }

    /** The AWSCURRENT version of {@code id}, or the version {@code versionId}. */
    public SecretValue get(String id, Optional<String> versionId) {
        StoredSecrets.Secret s = secret(id);
        StoredSecrets.Version v = s.versions().stream().filter(x -> versionId.map(x.id()::equals).orElse(x.current())).findFirst()
                .orElseThrow(() -> new ResourceNotFoundException("Secret " + s.name() + " has no version " + versionId.orElse("AWSCURRENT")));
        return value(s, v);
    }

    public SecretSummary delete(String id) {
        StoredSecrets.Secret s = secret(id);
        secrets.remove(s.name());
        return summary(s);
    }

    public List<SecretSummary> list() {
        return secrets.values().stream().sorted(Comparator.comparing(StoredSecrets.Secret::name)).map(SecretStore::summary).toList();
    }

    public Parameter putParameter(String name, String type, String value, boolean overwrite) {
        if (name == null || !PARAMETER_NAME.matcher(name).matches()) {
            throw new InvalidRequestException("Name must be 1 to 1011 of letters, digits and _.-/, not '" + name + "'");
        }
        if (!List.of("String", "StringList", "SecureString").contains(type)) {
            throw new InvalidRequestException("Type must be String, StringList or SecureString, not '" + type + "'");
        }
        checkValue(value, "Value");
        StoredSecrets.Parameter old = parameters.get(key(name));
        if (old != null && !overwrite) {
            throw new ResourceExistsException("The parameter " + name + " already exists; give --overwrite to change it");
        }
        StoredSecrets.Parameter p = new StoredSecrets.Parameter(name, "arn:aws:ssm:" + region + ":" + account + ":parameter/"
                + key(name), type, value, old == null ? 1 : old.version() + 1, Instant.now());
        parameters.put(key(name), p);
        return parameter(p);
    }

    public Parameter getParameter(String name) {
        return parameter(parameterNamed(name));
    }

    public void deleteParameter(String name) {
        parameters.remove(key(parameterNamed(name).name()));
    }

    /**
     * What an instance gets for a RuntimeEnvironmentSecrets value: a secret's or a parameter's ARN (a secret's with
     * {@code ?versionId=} as a deployment pinned it) is read from the store; anything else is the value itself.
     */
    public String resolve(String reference) {
        if (reference.startsWith("arn:aws:secretsmanager:")) {
            int q = reference.indexOf("?versionId=");
            String arn = q < 0 ? reference : reference.substring(0, q);
            return get(arn, q < 0 ? Optional.empty() : Optional.of(reference.substring(q + "?versionId=".length()))).value();
        }
        if (reference.startsWith("arn:aws:ssm:")) {
            return getParameter(reference).value();
        }
        return reference;
    }

    /** A reference as a deployment keeps it: a secret's ARN pinned to its current version (a rotation waits for the next deployment). */
    public String pin(String reference) {
        if (reference.startsWith("arn:aws:secretsmanager:") && !reference.contains("?versionId=")) {
            return reference + "?versionId=" + get(reference, Optional.empty()).versionId();
        }
        if (reference.startsWith("arn:aws:ssm:")) {
            getParameter(reference); // it must exist
        }
        return reference;
    }

    public StoredSecrets export() {
        return new StoredSecrets(List.copyOf(secrets.values()), List.copyOf(parameters.values()));
    }

    public void restore(StoredSecrets stored) {
        secrets.clear();
        parameters.clear();
        stored.secrets().forEach(s -> secrets.put(s.name(), s));
        stored.parameters().forEach(p -> parameters.put(key(p.name()), p));
    }

    private StoredSecrets.Secret secret(String id) {
        if (id == null || id.isEmpty()) {
            throw new InvalidRequestException("SecretId is required: the secret's name or ARN");
        }
        StoredSecrets.Secret byName = secrets.get(id);
        if (byName != null) {
            return byName;
        }
        return secrets.values().stream().filter(s -> s.arn().equals(id) || id.startsWith("arn:") && s.arn().startsWith(id + "-"))
                .findFirst().orElseThrow(() -> new ResourceNotFoundException("Secrets Manager can't find the specified secret: " + id));
    }

    private StoredSecrets.Parameter parameterNamed(String name) {
        String k = name == null ? "" : name.startsWith("arn:aws:ssm:") ? name.substring(name.indexOf(":parameter/") + ":parameter/".length()) : key(name);
        StoredSecrets.Parameter p = parameters.get(k);
        if (p == null) {
            throw new ParameterNotFoundException("Parameter " + name + " not found.");
        }
        return p;
    }

    private static String key(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }

    private static void checkValue(String value, String field) {
        if (value == null) {
            throw new InvalidRequestException(field + " is required");
        }
        if (value.length() > MAX_VALUE) {
            throw new InvalidRequestException(field + " must be at most " + MAX_VALUE + " characters");
        }
    }

    private static SecretValue value(StoredSecrets.Secret s, StoredSecrets.Version v) {
        return new SecretValue(s.arn(), s.name(), v.id(), v.secretValue(), v.createdAt());
    }

    private static SecretSummary summary(StoredSecrets.Secret s) {
        return new SecretSummary(s.arn(), s.name(), s.description(), s.createdAt(), s.changedAt());
    }

    private static Parameter parameter(StoredSecrets.Parameter p) {
        return new Parameter(p.name(), p.arn(), p.type(), p.secretValue(), p.version(), p.modifiedAt());
    }

    /** A secret or parameter of that name exists already (Secrets Manager's ResourceExistsException, SSM's ParameterAlreadyExists). */
    public static final class ResourceExistsException extends dev.slipway.core.SlipwayException {
        ResourceExistsException(String message) {
            super(message);
        }
    }

    /** SSM's ParameterNotFound. */
    public static final class ParameterNotFoundException extends ResourceNotFoundException {
        ParameterNotFoundException(String message) {
            super(message);
        }
    }
}
