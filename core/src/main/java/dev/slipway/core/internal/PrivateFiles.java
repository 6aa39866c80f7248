package dev.slipway.core.internal;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files only this JVM's account may read: the state directory (0700) and what Slipway writes in it (0600). The apps'
 * account (the local backend's {@code run-as}) runs every service's code; it must not read other services' logs,
 * sources or state.
 */
public final class PrivateFiles {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateFiles.class);
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /**
     * Creates {@code dir} (and its parents) if needed and makes it 0700. A directory others may write to (such as
     * /tmp) is left as it is, with a warning: it is shared, not a state directory.
     */
    public static Path directory(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (POSIX) {
            Set<PosixFilePermission> now = Files.getPosixFilePermissions(dir);
            if (now.contains(PosixFilePermission.OTHERS_WRITE)) {
                LOG.warn("{} is writable by every account: give Slipway a directory of its own", dir);
            } else if (!now.equals(OWNER_ONLY_DIR)) {
                Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
            }
        }
        return dir;
    }

    /** Creates {@code file} empty with mode 0600 if it does not exist (its parent must). */
    public static void file(Path file) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        try {
            if (POSIX) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
            } else {
                Files.createFile(file);
            }
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            // another writer made it first
        }
    }
}
