package dev.slipway.core.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.util.SecretBytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys Slipway encrypts with (AEAD, Google Tink): one keyset per KMS key ARN (Slipway's own data uses
 * {@link #SLIPWAY}), made on first use and kept in {@code <keys-dir>/<sha-256 of the ARN>.json}, itself encrypted under
 * the master key (AES-256-GCM), which is never kept in the state directory: {@code SLIPWAY_MASTER_KEY} (32 bytes,
 * base64) or a key file ({@code slipway server --master-key-file}). {@link #rotate} adds a new primary key; what the
 * old ones encrypted stays readable. A wrong master key is said at once, when a keyset does not open with it.
 */
public final class KeyRing {
    /** The key name of Slipway's own secrets (the state store's secret values, tokens and keys). */
    public static final String SLIPWAY = "slipway";
    /** What {@code SLIPWAY_MASTER_KEY} holds: the master key, 32 bytes in base64. */
    public static final String MASTER_KEY_VARIABLE = "SLIPWAY_MASTER_KEY";

    private final Path dir;
    private final Aead master;
    private final String masterSource;
    private final Map<String, Aead> aeads = new ConcurrentHashMap<>();

    static {
        try {
            AeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink's AEAD cannot be registered", e);
        }
    }

    private KeyRing(Path dir, Aead master, String masterSource) {
        this.dir = dir;
        this.master = master;
        this.masterSource = masterSource;
    }

    /** The keysets of {@code keysDir}, opened with {@code masterKey} (32 bytes) from {@code masterSource} (for messages). */
    public static KeyRing open(Path keysDir, byte[] masterKey, String masterSource) {
        if (masterKey.length != 32) {
            throw new IllegalStateException("the master key from " + masterSource + " must be 32 bytes, not " + masterKey.length
                    + " (make one with: head -c 32 /dev/urandom | base64)");
        }
        try {
            AesGcmKey key = AesGcmKey.builder().setParameters(AesGcmParameters.builder().setKeySizeBytes(32).setIvSizeBytes(12)
                            .setTagSizeBytes(16).setVariant(AesGcmParameters.Variant.NO_PREFIX).build())
                    .setKeyBytes(SecretBytes.copyFrom(masterKey, InsecureSecretKeyAccess.get())).build();
            Aead master = KeysetHandle.newBuilder().addEntry(KeysetHandle.importKey(key).withFixedId(1).makePrimary()).build()
                    .getPrimitive(RegistryConfiguration.get(), Aead.class);
            return new KeyRing(keysDir, master, masterSource);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the master key from " + masterSource + " cannot be used: " + e.getMessage(), e);
        }
    }

    /**
     * The master key of {@code SLIPWAY_MASTER_KEY} if it is set, else of {@code file} (32 random bytes written there,
     * 0600, when it does not exist yet).
     */
    public static KeyRing open(Path keysDir, Map<String, String> env, Path file) {
        String fromEnv = env.get(MASTER_KEY_VARIABLE);
        if (fromEnv != null && !fromEnv.isBlank()) {
            try {
                return open(keysDir, Base64.getDecoder().decode(fromEnv.trim()), MASTER_KEY_VARIABLE);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(MASTER_KEY_VARIABLE + " must be 32 bytes in base64 (head -c 32 /dev/urandom | base64)");
            }
        }
        try {
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                dev.slipway.core.internal.PrivateFiles.directory(file.toAbsolutePath().getParent());
                dev.slipway.core.internal.PrivateFiles.file(file);
                Files.write(file, fresh);
            }
            return open(keysDir, Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or write the master key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The AEAD of {@code keyName} (a KMS key ARN, or {@link #SLIPWAY}), its keyset made on first use. */
    public Aead aead(String keyName) {
        return aeads.computeIfAbsent(keyName, this::load);
    }

    /** Adds a new primary key to {@code keyName}'s keyset: new data is encrypted with it, the old stays readable. */
    public synchronized void rotate(String keyName) {
        try {
            KeysetHandle current = read(keyName);
            KeysetHandle next = KeysetHandle.newBuilder(current).addEntry(KeysetHandle.generateEntryFromParameters(
                    PredefinedAeadParameters.AES256_GCM).withRandomId().makePrimary()).build();
            write(keyName, next);
            aeads.put(keyName, next.getPrimitive(RegistryConfiguration.get(), Aead.class));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot rotate the key of " + keyName + ": " + e.getMessage(), e);
        }
    }

    /** How many keys {@code keyName}'s keyset holds (1, plus one per rotation). */
    public int keys(String keyName) {
        try {
            return read(keyName).size();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private synchronized Aead load(String keyName) {
        try {
            return read(keyName).getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot open the key of " + keyName + ": " + e.getMessage(), e);
        }
    }

    private KeysetHandle read(String keyName) throws GeneralSecurityException, IOException {
        Path file = file(keyName);
        if (!Files.exists(file)) {
            KeysetHandle fresh = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            write(keyName, fresh);
            return fresh;
        }
        try {
            return TinkJsonProtoKeysetFormat.parseEncryptedKeyset(Files.readString(file), master, associated(keyName));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the master key from " + masterSource + " does not open " + file + " (the key "
                    + "of " + keyName + "): it is not the master key this state was encrypted with. Give the right one ("
                    + MASTER_KEY_VARIABLE + " or --master-key-file); without it the secrets in this state cannot be read", e);
        }
    }

    private void write(String keyName, KeysetHandle handle) throws GeneralSecurityException, IOException {
        Path file = file(keyName);
        dev.slipway.core.internal.PrivateFiles.directory(dir);
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        dev.slipway.core.internal.PrivateFiles.file(temp);
        Files.writeString(temp, TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(handle, master, associated(keyName)));
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private Path file(String keyName) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(keyName.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(hash, 0, 16) + ".json");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] associated(String keyName) {
        return ("slipway keyset " + keyName).getBytes(StandardCharsets.UTF_8);
    }
}
