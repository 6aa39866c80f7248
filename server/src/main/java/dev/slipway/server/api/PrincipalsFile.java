package dev.slipway.server.api;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.iam.Principals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The principals of {@code slipway server --principals FILE}: read at start (a mistake stops the server, saying which
 * principal, where and what), then read again whenever the file changes (checked every 2 s); a changed file with a
 * mistake is logged and the principals read last stay in force. Secrets are never logged.
 */
public final class PrincipalsFile implements Supplier<Principals>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrincipalsFile.class);

    private final Path file;
    private volatile Principals current;
    private Object seen;
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "slipway-principals");
        t.setDaemon(true);
        return t;
    });

    private final java.util.function.UnaryOperator<String> unseal;

    private PrincipalsFile(Path file, Principals first, Object seen, java.util.function.UnaryOperator<String> unseal) {
        this.file = file;
        this.unseal = unseal;
        this.current = first;
        this.seen = seen;
    }

    /** Reads {@code file} and watches it; throws {@link InvalidRequestException} if it cannot be read or is not valid. */
    public static PrincipalsFile watch(Path file) {
        return watch(file, sealed -> {
            throw new IllegalStateException("no key ring was given to open it");
        });
    }

    /** As {@link #watch(Path)}, opening sealed secret access keys ({@code enc:v1:...}) with {@code unseal}. */
    public static PrincipalsFile watch(Path file, java.util.function.UnaryOperator<String> unseal) {
        Object stamp = stamp(file);
        PrincipalsFile f = new PrincipalsFile(file, read(file, unseal), stamp, unseal);
        f.watcher.scheduleWithFixedDelay(f::reloadIfChanged, 2, 2, TimeUnit.SECONDS);
        LOG.info("{} principal(s) from {}", f.current.all().size(), file);
        return f;
    }

    @Override
    public Principals get() {
        return current;
    }

    /** Reads the file again if it changed since it was read last. */
    void reloadIfChanged() {
        Object now = stamp(file);
        if (Objects.equals(now, seen)) {
            return;
        }
        seen = now;
        try {
            current = read(file, unseal);
            LOG.info("{} changed: {} principal(s) now", file, current.all().size());
        } catch (InvalidRequestException e) {
            LOG.error("{} changed but is not valid, so the principals read before stay in force: {}", file, e.getMessage());
        }
    }

    private static Principals read(Path file, java.util.function.UnaryOperator<String> unseal) {
        String json;
        try {
            json = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidRequestException("cannot read the principals file " + file + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
        }
        return Principals.fromJson(json, file.toString(), unseal);
    }

    private static Object stamp(Path file) {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            return java.util.List.of(modified, Files.size(file), Objects.requireNonNullElse(
                    Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey(), ""));
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
