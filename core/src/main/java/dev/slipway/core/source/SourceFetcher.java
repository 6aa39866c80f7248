package dev.slipway.core.source;

import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.observe.LogSink;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.util.FS;

/**
 * Checks out a {@link CodeRepository}: the head of its branch from a Git URL ({@code https://}, {@code file://}, or
 * a path to a Git repository) with JGit, or a copy of a plain directory ({@code file://} or a path), then narrows it
 * to the SourceDirectory.
 */
public final class SourceFetcher {
    /** How long a Git server may send nothing before the fetch gives up, by default. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

    private final boolean workingTrees;
    private final int idleTimeoutSeconds;

    /** A fetcher that checks out the head of the branch of any Git repository, local ones too (App Runner's way). */
    public SourceFetcher() {
        this(false, DEFAULT_IDLE_TIMEOUT);
    }

    /**
     * @param workingTrees whether a local Git repository's working tree is deployed as it is (tracked and untracked
     *                     files, not ignored ones) instead of the head of the branch ({@code slipway up})
     * @param idleTimeout  how long a Git server may send nothing (connecting, or in the middle of a clone) before the
     *                     fetch fails: a server that hangs never holds a thread for longer
     */
    public SourceFetcher(boolean workingTrees, Duration idleTimeout) {
        this.workingTrees = workingTrees;
        this.idleTimeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, idleTimeout.toSeconds()));
    }

    /** Fetches with no pinned SSH host keys (any host key is accepted and pinned for this fetch only). */
    public FetchedSource fetch(CodeRepository repo, Optional<RepositoryCredential> credential, Path into, LogSink log)
            throws BuildFailedException {
        return fetch(repo, credential, new HostKeyPins(Map.of()), into, log);
    }

    /**
     * @param credential a connection's token or SSH key for private repositories, if any; never logged
     * @param pins       the connection's pinned SSH host keys, updated when a new host is seen
     */
    public FetchedSource fetch(CodeRepository repo, Optional<RepositoryCredential> credential, HostKeyPins pins, Path into,
                               LogSink log) throws BuildFailedException {
        return fetch(repo, credential, pins, into, Optional.empty(), log);
    }

    /**
     * As {@link #fetch(CodeRepository, Optional, HostKeyPins, Path, LogSink)}, checking out {@code commit} of the branch
     * when one is given (an automatic deployment of the commit a push brought) instead of its head.
     */
    public FetchedSource fetch(CodeRepository repo, Optional<RepositoryCredential> credential, HostKeyPins pins, Path into,
                               Optional<String> commit, LogSink log) throws BuildFailedException {
        return withAccess(credential, pins, into.resolveSibling(into.getFileName() + "-ssh"), log,
                (token, ssh) -> fetch(repo, token, ssh, into, commit, log));
    }

    /**
     * The commit the branch of {@code repo} points to now, by {@code git ls-remote} (no clone); empty for a directory
     * that is not a Git repository.
     *
     * @param sshDir a directory this call may use for an SSH key's files (deleted after)
     */
    public Optional<String> head(CodeRepository repo, Optional<RepositoryCredential> credential, HostKeyPins pins, Path sshDir,
                                 LogSink log) throws BuildFailedException {
        Optional<Path> local = localPath(repo.repositoryUrl());
        if (local.isPresent() && !isGitRepository(local.get())) {
            return Optional.empty();
        }
        String uri = local.map(p -> p.toUri().toString()).orElse(repo.repositoryUrl());
        String branch = repo.sourceCodeVersion() == null ? "HEAD" : "refs/heads/" + repo.sourceCodeVersion().value();
        return withAccess(credential, pins, sshDir, log, (token, ssh) -> {
            try {
                var ls = Git.lsRemoteRepository().setRemote(uri).setHeads(!branch.equals("HEAD")).setTimeout(idleTimeoutSeconds);
                token.ifPresent(t -> ls.setCredentialsProvider(new UsernamePasswordCredentialsProvider("x-access-token", t)));
                ssh.ifPresent(k -> ls.setTransportConfigCallback(k::configure));
                var refs = ls.callAsMap();
                Ref ref = refs.get(branch);
                if (ref == null || ref.getObjectId() == null) {
                    throw new BuildFailedException("branch '" + branch.replace("refs/heads/", "") + "' not found in "
                            + repo.repositoryUrl() + "; check SourceCodeVersion.Value");
                }
                return Optional.of(ref.getObjectId().name());
            } catch (GitAPIException e) {
                throw new BuildFailedException("cannot read the branches of " + repo.repositoryUrl() + ": " + e.getMessage(), e);
            }
        });
    }

    /** What a fetch does with the repository's access: a token, or an SSH transport (closed after). */
    private interface WithAccess<T> {
        T run(Optional<String> token, Optional<SshKeyTransport> ssh) throws BuildFailedException;
    }

    private static <T> T withAccess(Optional<RepositoryCredential> credential, HostKeyPins pins, Path sshDir, LogSink log,
                                    WithAccess<T> work) throws BuildFailedException {
        Optional<String> token = credential.filter(c -> c.kind() == RepositoryCredential.Kind.TOKEN).map(RepositoryCredential::secret);
        Optional<SshKeyTransport> ssh = Optional.empty();
        try {
            if (credential.isPresent() && credential.get().kind() == RepositoryCredential.Kind.SSH_KEY) {
                ssh = Optional.of(SshKeyTransport.create(credential.get().secret(), pins, sshDir, log));
            }
            return work.run(token, ssh);
        } finally {
            ssh.ifPresent(SshKeyTransport::close);
        }
    }

    private FetchedSource fetch(CodeRepository repo, Optional<String> token, Optional<SshKeyTransport> ssh, Path into,
                                Optional<String> pinned, LogSink log) throws BuildFailedException {
        String url = repo.repositoryUrl();
        String branch = repo.sourceCodeVersion() == null ? null : repo.sourceCodeVersion().value();
        Optional<Path> local = localPath(url);
        Optional<String> commit;
        boolean localChanges = false;
        try {
            Files.createDirectories(into);
            if (local.isPresent() && !isGitRepository(local.get())) {
                Path dir = local.get();
                if (!Files.isDirectory(dir)) {
                    throw new BuildFailedException("RepositoryUrl " + url + " is neither a directory nor a Git repository");
                }
                log.line("Copying source directory " + dir);
                copyTree(dir, into, log, relative -> false);
                commit = Optional.empty();
            } else if (local.isPresent() && workingTrees && Files.isDirectory(local.get().resolve(".git"))) {
                WorkingTree.Based based = WorkingTree.copy(local.get(), into, log);
                commit = based.commit();
                localChanges = based.changed();
            } else {
                String uri = local.map(p -> p.toUri().toString()).orElse(url);
                log.line("Cloning " + url + (branch != null ? " (branch " + branch + ")" : ""));
                var clone = Git.cloneRepository().setURI(uri).setDirectory(into.toFile()).setCloneSubmodules(false)
                        .setTimeout(idleTimeoutSeconds);
                if (branch != null) {
                    clone.setBranch(branch).setBranchesToClone(List.of("refs/heads/" + branch));
                }
                token.ifPresent(t -> clone.setCredentialsProvider(new UsernamePasswordCredentialsProvider("x-access-token", t)));
                ssh.ifPresent(k -> clone.setTransportConfigCallback(k::configure));
                try (Git git = clone.call()) {
                    Ref head = git.getRepository().exactRef("HEAD");
                    if (head == null || head.getObjectId() == null) {
                        throw new BuildFailedException("branch '" + branch + "' not found in " + url
                                + "; check SourceCodeVersion.Value (branches: " + branches(uri, token, ssh) + ")");
                    }
                    String current = git.getRepository().getBranch();
                    if (branch != null && !branch.equals(current)) {
                        throw new BuildFailedException("branch '" + branch + "' not found in " + url
                                + "; check SourceCodeVersion.Value (branches: " + branches(uri, token, ssh) + ")");
                    }
                    commit = Optional.of(head.getObjectId().name());
                    if (pinned.isPresent() && !pinned.get().equals(commit.get())) {
                        commit = Optional.of(checkOut(git, pinned.get(), url, current));
                    }
                    log.line("Checked out commit " + commit.get() + " of branch " + current + ": " + describe(git, commit.get()));
                }
            }
        } catch (TransportException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Remote branch")) {
                String uri = local.map(p -> p.toUri().toString()).orElse(url);
                throw new BuildFailedException("branch '" + branch + "' not found in " + url
                        + "; check SourceCodeVersion.Value (branches: " + branches(uri, token, ssh) + ")", e);
            }
            throw new BuildFailedException("cannot fetch " + url + ": " + e.getMessage()
                    + " (for a private repository, use an AVAILABLE connection)", e);
        } catch (GitAPIException e) {
            throw new BuildFailedException("cannot clone " + url + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BuildFailedException("cannot read source " + url + ": " + e.getMessage(), e);
        }
        Path root = into;
        if (repo.sourceDirectory() != null && !repo.sourceDirectory().isBlank() && !repo.sourceDirectory().equals("/")) {
            String dir = repo.sourceDirectory().startsWith("/") ? repo.sourceDirectory().substring(1) : repo.sourceDirectory();
            root = into.resolve(dir).normalize();
            if (!root.startsWith(into) || !Files.isDirectory(root)) {
                throw new BuildFailedException("SourceDirectory '" + repo.sourceDirectory()
                        + "' is not a directory of the repository");
            }
            log.line("Using source directory " + repo.sourceDirectory());
        }
        return new FetchedSource(into, root, commit, localChanges);
    }

    /** Checks out {@code commit} (detached), which must be on the branch cloned. */
    private static String checkOut(Git git, String commit, String url, String branch) throws BuildFailedException, IOException {
        var id = git.getRepository().resolve(commit + "^{commit}");
        if (id == null) {
            throw new BuildFailedException("commit " + commit + " is not on branch " + branch + " of " + url
                    + " (was the branch force-pushed since?); the next push deploys its new head");
        }
        try {
            git.checkout().setName(id.name()).call();
        } catch (GitAPIException e) {
            throw new BuildFailedException("cannot check out commit " + commit + ": " + e.getMessage(), e);
        }
        return id.name();
    }

    /** {@code <author> <email>, <time>: <first line of the message>} of a commit. */
    private static String describe(Git git, String commit) throws IOException {
        try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(git.getRepository())) {
            var c = walk.parseCommit(git.getRepository().resolve(commit));
            var author = c.getAuthorIdent();
            return author.getName() + " <" + author.getEmailAddress() + ">, " + author.getWhenAsInstant() + ": \"" + c.getShortMessage() + "\"";
        }
    }

    /** The local path a RepositoryUrl names, if it is a {@code file:} URL or a plain path. */
    public static Optional<Path> localPath(String url) {
        if (url.startsWith("file:")) {
            return Optional.of(Path.of(URI.create(url)));
        }
        if (url.startsWith("/") || !url.contains("://") && !url.contains("@") && !url.matches("[\\w.-]+:.*")) {
            return Optional.of(Path.of(url).toAbsolutePath().normalize());
        }
        return Optional.empty();
    }

    private static boolean isGitRepository(Path dir) {
        return RepositoryCache.FileKey.isGitRepository(dir.resolve(".git").toFile(), FS.DETECTED)
                || RepositoryCache.FileKey.isGitRepository(dir.toFile(), FS.DETECTED);
    }

    private String branches(String uri, Optional<String> token, Optional<SshKeyTransport> ssh) {
        try {
            var ls = Git.lsRemoteRepository().setRemote(uri).setHeads(true).setTimeout(idleTimeoutSeconds);
            token.ifPresent(t -> ls.setCredentialsProvider(new UsernamePasswordCredentialsProvider("x-access-token", t)));
            ssh.ifPresent(k -> ls.setTransportConfigCallback(k::configure));
            return String.join(", ", ls.call().stream()
                    .map(r -> r.getName().replace("refs/heads/", "")).sorted().toList());
        } catch (GitAPIException e) {
            return "unknown";
        }
    }

    /**
     * Copies a directory tree, leaving out {@code .git} and {@code __pycache__} directories, and (when the destination
     * lies inside the source) the directories that hold the destination. Only directories, regular files and symbolic
     * links that stay inside the tree are copied (links as links); special files (FIFOs, sockets, devices), which a
     * copy would block on or could not recreate, and links out of the tree are left out, each with a line in
     * {@code log}.
     */
    public static void copyTree(Path from, Path to, LogSink log) throws IOException {
        copyTree(from, to, log, relative -> false);
    }

    /** As {@link #copyTree(Path, Path, LogSink)}, also leaving out the paths (relative to {@code from}) {@code leaveOut} names. */
    static void copyTree(Path from, Path to, LogSink log, Predicate<String> leaveOut) throws IOException {
        Path root = from.toRealPath();
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                // the destination, and the directories holding it, are Slipway's own state, not the app's
                if (!dir.equals(from) && (name.equals(".git") || name.equals("__pycache__") || to.startsWith(dir)
                        || leaveOut.test(from.relativize(dir).toString()))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String relative = from.relativize(file).toString();
                if (leaveOut.test(relative)) {
                    return FileVisitResult.CONTINUE;
                }
                if (attrs.isSymbolicLink()) {
                    Path target = file.getParent().resolve(Files.readSymbolicLink(file)).normalize();
                    if (!target.toAbsolutePath().startsWith(from.toAbsolutePath()) && !target.toAbsolutePath().startsWith(root)) {
                        log.line("Leaving out " + relative + ": a symbolic link out of the source directory");
                        return FileVisitResult.CONTINUE;
                    }
                } else if (!attrs.isRegularFile()) {
                    log.line("Leaving out " + relative + ": not a regular file (a FIFO, socket or device)");
                    return FileVisitResult.CONTINUE;
                }
                Files.copy(file, to.resolve(relative), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes a directory tree, ignoring what is already gone. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // best effort: a leftover temp directory is harmless
        }
    }
}
