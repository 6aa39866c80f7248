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
 * {@link #SLIPWAY}), made on first use and kept, encrypted under the master key (AES-256-GCM), in {@link Keysets}: a
 * directory ({@code <keys-dir>/<sha-256 of the ARN>.json}), or the state store itself when every replica shares the
 * state ({@code dev.slipway.core.store.StateKeysets}). The master key is never kept with them: {@code
 * SLIPWAY_MASTER_KEY} (32 bytes, base64) or a key file ({@code slipway server --master-key-file}). {@link #rotate} adds
 * a new primary key; what the old ones encrypted stays readable. A wrong master key is said at once, when a keyset does
 * not open with it.
 */
public final class KeyRing {
    /** The key name of Slipway's own secrets (the state store's secret values, tokens and keys). */
    public static final String SLIPWAY = "slipway";
    /** What {@code SLIPWAY_MASTER_KEY} holds: the master key, 32 bytes in base64. */
    public static final String MASTER_KEY_VARIABLE = "SLIPWAY_MASTER_KEY";

    /**
     * Where a key ring keeps its keysets, each already encrypted under the master key, by {@code name} (a hash of the key
     * name: letters and digits).
     */
    public interface Keysets {
        /** The keyset saved as {@code name}, if there is one. */
        java.util.Optional<String> read(String name) throws IOException;

        /** Saves a keyset as {@code name} durably before returning. */
        void write(String name, String encryptedKeyset) throws IOException;

        /** Where {@code name} is kept, for messages. */
        String where(String name);
    }

    private final Keysets keysets;
    private final Aead master;
    private final byte[] derivation;
    private final String masterSource;
    private final Map<String, Aead> aeads = new ConcurrentHashMap<>();

    static {
        try {
            AeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink's AEAD cannot be registered", e);
        }
    }

    private KeyRing(Keysets keysets, Aead master, byte[] derivation, String masterSource) {
        this.derivation = derivation;
        this.keysets = keysets;
        this.master = master;
        this.masterSource = masterSource;
    }

    /** The keysets of {@code keysDir}, opened with {@code masterKey} (32 bytes) from {@code masterSource} (for messages). */
    public static KeyRing open(Path keysDir, byte[] masterKey, String masterSource) {
        return open(directory(keysDir), masterKey, masterSource);
    }

    /** The keysets kept in {@code keysets}, opened with {@code masterKey} (32 bytes) from {@code masterSource}. */
    public static KeyRing open(Keysets keysets, byte[] masterKey, String masterSource) {
        if (masterKey.length != 32) {
            throw new IllegalStateException("the master key from " + masterSource + " must be 32 bytes, not " + masterKey.length
                    + " (make one with: head -c 32 /dev/urandom | base64)");
        }
        try {
            return new KeyRing(keysets, aesGcm(masterKey), hmac(masterKey, "slipway derivation key"), masterSource);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the master key from " + masterSource + " cannot be used: " + e.getMessage(), e);
        }
    }

    /**
     * The master key of {@code SLIPWAY_MASTER_KEY} if it is set, else of {@code file} (32 random bytes written there,
     * 0600, when it does not exist yet).
     */
    public static KeyRing open(Path keysDir, Map<String, String> env, Path file) {
        return open(directory(keysDir), env, file, true);
    }

    /**
     * The keysets of {@code keysets}, opened with the master key of {@code SLIPWAY_MASTER_KEY} if it is set, else of
     * {@code file}; a missing file is made (32 random bytes, 0600) only if {@code makeIfMissing}: where several replicas
     * share the keysets, each must be given the same master key, so none may make its own.
     */
    public static KeyRing open(Keysets keysets, Map<String, String> env, Path file, boolean makeIfMissing) {
        String fromEnv = env.get(MASTER_KEY_VARIABLE);
        if (fromEnv != null && !fromEnv.isBlank()) {
            byte[] key;
            try {
                key = Base64.getDecoder().decode(fromEnv.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(MASTER_KEY_VARIABLE + " must be 32 bytes in base64 (head -c 32 /dev/urandom | base64)");
            }
            return open(keysets, key, MASTER_KEY_VARIABLE);
        }
        if (!makeIfMissing && !Files.exists(file)) {
            throw new IllegalStateException("no master key: " + MASTER_KEY_VARIABLE + " is not set and " + file + " does not "
                    + "exist. Every replica sharing this state needs the same one: make it once (head -c 32 /dev/urandom | "
                    + "base64), keep it in a Secret, and give it to each as " + MASTER_KEY_VARIABLE + " or as a file (--master-key-file)");
        }
        try {
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                dev.slipway.core.internal.PrivateFiles.directory(file.toAbsolutePath().getParent());
                dev.slipway.core.internal.PrivateFiles.file(file);
                Files.write(file, fresh);
            }
            return open(keysets, Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or write the master key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The AEAD of {@code keyName} (a KMS key ARN, or {@link #SLIPWAY}), its keyset made on first use. */
    public Aead aead(String keyName) {
        return aeads.computeIfAbsent(keyName, this::load);
    }

    /**
     * A 32-byte secret for {@code purpose}, the same wherever the same master key is given (HMAC-SHA256 under a key
     * derived from it): what replicas sharing a state must agree on without storing it (instance role tokens).
     */
    public byte[] derivedKey(String purpose) {
        return hmac(derivation, "slipway " + purpose);
    }

    /**
     * An AEAD whose key is {@link #derivedKey derived} for {@code purpose}: no keyset to keep or share, the same wherever
     * the master key is (what an operator seals for a configuration file: {@code slipway keys seal}).
     */
    public Aead derivedAead(String purpose) {
        try {
            return aesGcm(derivedKey(purpose));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** AES-256-GCM with {@code key} as it is (no key id prefix in the ciphertext). */
    private static Aead aesGcm(byte[] key) throws GeneralSecurityException {
        AesGcmKey gcm = AesGcmKey.builder().setParameters(AesGcmParameters.builder().setKeySizeBytes(32).setIvSizeBytes(12)
                        .setTagSizeBytes(16).setVariant(AesGcmParameters.Variant.NO_PREFIX).build())
                .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get())).build();
        return KeysetHandle.newBuilder().addEntry(KeysetHandle.importKey(gcm).withFixedId(1).makePrimary()).build()
                .getPrimitive(RegistryConfiguration.get(), Aead.class);
    }

    private static byte[] hmac(byte[] key, String label) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a sealed value starts with. */
    public static final String SEALED = "enc:v1:";

    /**
     * {@code value} encrypted with {@code keyName}'s key, bound to {@code context} (the field it is for: a sealed value
     * does not open as another field's): {@code enc:v1:<base64>}. A value sealed already is returned as it is.
     */
    public String seal(String keyName, String value, String context) {
        return seal(aead(keyName), value, context);
    }

    /** As {@link #seal(String, String, String)}, with {@code aead}. */
    public static String seal(Aead aead, String value, String context) {
        if (value.startsWith(SEALED)) {
            return value;
        }
        try {
            return SEALED + Base64.getEncoder().encodeToString(aead.encrypt(value.getBytes(StandardCharsets.UTF_8),
                    context.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt: " + e.getMessage(), e);
        }
    }

    /**
     * What {@link #seal} sealed for {@code context}; a value that is not sealed is returned as it is.
     *
     * @throws IllegalStateException if it does not open with this key ring (sealed under another master key, or for
     *                               another field)
     */
    public String unseal(String keyName, String value, String context) {
        return unseal(aead(keyName), value, context);
    }

    /** As {@link #unseal(String, String, String)}, with {@code aead}. */
    public static String unseal(Aead aead, String value, String context) {
        if (!value.startsWith(SEALED)) {
            return value;
        }
        try {
            return new String(aead.decrypt(Base64.getDecoder().decode(value.substring(SEALED.length())),
                    context.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("it was encrypted with another key (is this the master key it was written with?) ("
                    + e.getMessage() + ")", e);
        }
    }

    /** Where the keysets are kept. */
    public Keysets keysets() {
        return keysets;
    }

    /** Forgets the keysets opened so far, so the next use reads them again (another replica may have rotated one). */
    public void reload() {
        aeads.clear();
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
        String name = name(keyName);
        java.util.Optional<String> saved = keysets.read(name);
        if (saved.isEmpty()) {
            KeysetHandle fresh = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            write(keyName, fresh);
            return fresh;
        }
        try {
            return TinkJsonProtoKeysetFormat.parseEncryptedKeyset(saved.get(), master, associated(keyName));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the master key from " + masterSource + " does not open " + keysets.where(name) + " (the key "
                    + "of " + keyName + "): it is not the master key this state was encrypted with. Give the right one ("
                    + MASTER_KEY_VARIABLE + " or --master-key-file); without it the secrets in this state cannot be read", e);
        }
    }

    private void write(String keyName, KeysetHandle handle) throws GeneralSecurityException, IOException {
        keysets.write(name(keyName), TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(handle, master, associated(keyName)));
    }

    /** A keyset's name: the first 16 bytes of the SHA-256 of its key name, in hex. */
    private static String name(String keyName) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(keyName.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keysets as files {@code <name>.json} of {@code dir} (0600, replaced atomically). */
    private static Keysets directory(Path dir) {
        return new Keysets() {
            @Override
            public java.util.Optional<String> read(String name) throws IOException {
                Path file = dir.resolve(name + ".json");
                return Files.exists(file) ? java.util.Optional.of(Files.readString(file)) : java.util.Optional.empty();
            }

            @Override
            public void write(String name, String encryptedKeyset) throws IOException {
                Path file = dir.resolve(name + ".json");
                dev.slipway.core.internal.PrivateFiles.directory(dir);
                Path temp = file.resolveSibling(file.getFileName() + ".tmp");
                dev.slipway.core.internal.PrivateFiles.file(temp);
                Files.writeString(temp, encryptedKeyset);
                Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }

            @Override
            public String where(String name) {
                return dir.resolve(name + ".json").toString();
            }
        };
    }

    private static byte[] associated(String keyName) {
        return ("slipway keyset " + keyName).getBytes(StandardCharsets.UTF_8);
    }
}
