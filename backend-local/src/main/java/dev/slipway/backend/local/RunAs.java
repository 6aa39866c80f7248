package dev.slipway.backend.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The unprivileged account that builds and instances run as, when the control plane runs as root: processes start
 * through {@code setpriv} with its uid and gid (no supplementary groups), in workspaces it owns under a directory
 * others can traverse but not list ({@code /var/lib/slipway/apps/<id>} by default, as {@code /root} is closed to
 * other users). The default account, {@value #DEFAULT_USER}, is created (a system user without a home or a login
 * shell) when it does not exist; any other must exist. Each service gets a home of its own under the apps directory
 * ({@link #home}), kept across its deployments.
 */
record RunAs(String user, int uid, int gid, Path appsDir) {
    static final String DEFAULT_USER = "slipway-app";
    private static final Set<PosixFilePermission> TRAVERSE_ONLY = PosixFilePermissions.fromString("rwx--x--x");

    /** The account {@code user}, with the apps directory of the backend whose own directory is {@code workDir}. */
    static RunAs of(String user, Path workDir, Path appsRoot) {
        if (!exists(user)) {
            if (!user.equals(DEFAULT_USER)) {
                throw new IllegalArgumentException("No user '" + user + "' on this host to run apps as; create it "
                        + "(useradd --system " + user + ") or choose another");
            }
            run("useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                    "--shell", "/usr/sbin/nologin", user);
        }
        Path apps = appsRoot.resolve(id(workDir));
        try {
            Files.createDirectories(appsRoot.getParent());
            if (!othersCanTraverse(appsRoot.getParent())) {
                throw new IllegalArgumentException(appsRoot.getParent() + " is closed to other users, so user " + user
                        + " could not reach its apps in it; choose another apps directory");
            }
            for (Path dir : List.of(appsRoot, apps)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, TRAVERSE_ONLY);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + apps + " for the apps of user " + user, e);
        }
        return new RunAs(user, Integer.parseInt(run("id", "-u", user)), Integer.parseInt(run("id", "-g", user)), apps);
    }

    /** Whether this JVM runs as root, so that it can and should run apps as another user. */
    static boolean jvmIsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The command prefix that runs what follows as this account. */
    List<String> prefix() {
        return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--");
    }

    /**
     * The home of a service's builds and instances ({@code <apps-dir>/homes/<service-id>}, this account's, closed to
     * others), created if needed. It outlives the service's revisions, so what package managers cache there (Maven's
     * and Gradle's repositories, npm's and pip's caches, Go's modules) serves its next deployments; it goes with the
     * service.
     */
    Path home(String serviceId) throws IOException {
        Path homes = appsDir.resolve("homes");
        Path home = homes.resolve(serviceId);
        if (!Files.isDirectory(home)) {
            Files.createDirectories(home);
            Files.setPosixFilePermissions(homes, TRAVERSE_ONLY);
            own(home);
        }
        return home;
    }

    /**
     * What the processes of a service run as this account are given to find their home: {@code HOME}, and for the JVM
     * tools that take theirs from the account's entry ({@code /nonexistent}) instead, {@code MAVEN_OPTS} with
     * {@code -Duser.home} and {@code GRADLE_USER_HOME}; values {@code env} sets already are kept (an option of theirs
     * after ours).
     */
    static Map<String, String> homeEnvironment(Path home, Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.putIfAbsent("HOME", home.toString());
        all.put("MAVEN_OPTS", ("-Duser.home=" + home + " " + env.getOrDefault("MAVEN_OPTS", "")).trim());
        all.putIfAbsent("GRADLE_USER_HOME", home.resolve(".gradle").toString());
        return all;
    }

    /** Makes {@code dir} and everything under it this account's, and closes it to others. */
    void own(Path dir) throws IOException {
        UserPrincipal owner = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(user);
        GroupPrincipal group = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(
                run("id", "-gn", user));
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                view.setOwner(owner);
                view.setGroup(group);
            }
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    /** The directories of {@code path} (a PATH) that this account can reach: all their parents let others through. */
    String reachable(String path) {
        return String.join(":", Stream.of(path.split(":")).filter(d -> !d.isEmpty() && othersCanTraverse(Path.of(d))).toList());
    }

    private static boolean othersCanTraverse(Path dir) {
        try {
            for (Path p = dir.toRealPath(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean exists(String user) {
        try {
            run("id", "-u", user);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static String id(Path workDir) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(workDir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", command) + " was interrupted", e);
        }
    }
}
