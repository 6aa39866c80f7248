package dev.slipway.core.source;

import dev.slipway.core.observe.LogSink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCacheIterator;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * A local Git working tree deployed as it is, as {@code fly deploy} does: its tracked files and its untracked ones,
 * not the ignored ones, with what it is based on (branch, commit, local changes) written to the deployment log.
 */
final class WorkingTree {
    private WorkingTree() {
    }

    /** What a copied working tree is based on: its commit, if any, and whether it has changes the commit has not. */
    record Based(Optional<String> commit, boolean changed) {
    }

    /** Copies the working tree at {@code dir} into {@code into}; returns what it is based on. */
    static Based copy(Path dir, Path into, LogSink log) throws IOException {
        Set<String> kept = new HashSet<>();
        Optional<String> commit;
        int changed;
        try (Git git = Git.open(dir.toFile()); TreeWalk walk = new TreeWalk(git.getRepository())) {
            walk.addTree(new FileTreeIterator(git.getRepository()));
            walk.addTree(new DirCacheIterator(git.getRepository().readDirCache()));
            while (walk.next()) {
                FileTreeIterator file = walk.getTree(0, FileTreeIterator.class);
                boolean tracked = walk.getTree(1, DirCacheIterator.class) != null;
                if (file == null || !tracked && file.isEntryIgnored()) {
                    continue; // deleted locally, or ignored
                }
                if (walk.isSubtree()) {
                    walk.enterSubtree();
                } else {
                    kept.add(walk.getPathString());
                }
            }
            ObjectId head = git.getRepository().resolve("HEAD");
            commit = Optional.ofNullable(head).map(ObjectId::name);
            Status status = git.status().call();
            changed = status.getUncommittedChanges().size() + status.getUntracked().size();
            log.line("Copying the working tree of " + dir + " as it is (branch " + git.getRepository().getBranch()
                    + commit.map(c -> ", based on commit " + c).orElse(", no commit yet")
                    + (changed == 0 ? ", no local changes" : ", with local changes to " + changed + " file" + (changed == 1 ? "" : "s"))
                    + "); deploy a commit with a branch instead");
        } catch (GitAPIException e) {
            throw new IOException("cannot read the Git working tree " + dir + ": " + e.getMessage(), e);
        }
        Set<String> keptDirs = new HashSet<>();
        for (String f : kept) {
            for (Path p = Path.of(f).getParent(); p != null; p = p.getParent()) {
                keptDirs.add(p.toString());
            }
        }
        SourceFetcher.copyTree(dir, into, log, relative -> !kept.contains(relative) && !keptDirs.contains(relative));
        return new Based(commit, changed > 0);
    }
}
