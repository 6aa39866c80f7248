package dev.slipway.core.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.SourceCodeVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain directories are copied as they are; a checkout inside its own source does not recurse. */
class SourceFetcherTest {
    @TempDir
    Path tmp;

    @Test
    void aDirectoryIsCopiedWithoutGitMetadataEvenWhenTheCheckoutLiesInsideIt() throws Exception {
        Path app = tmp.resolve("app");
        Files.createDirectories(app.resolve(".git"));
        Files.writeString(app.resolve("server.py"), "print('hi')\n");
        Files.createDirectories(app.resolve("lib"));
        Files.writeString(app.resolve("lib/util.py"), "X = 1\n");
        Path into = app.resolve("state/sources/svc/rev");
        List<String> log = new ArrayList<>();

        FetchedSource fetched = new SourceFetcher().fetch(new CodeRepository(app.toUri().toString(),
                SourceCodeVersion.branch("main"), null, null), Optional.empty(), into, log::add);

        assertThat(fetched.commitId()).isEmpty();
        assertThat(into.resolve("server.py")).hasContent("print('hi')");
        assertThat(into.resolve("lib/util.py")).exists();
        assertThat(into.resolve("state")).doesNotExist();
        assertThat(log).anyMatch(l -> l.startsWith("Copying source directory"));
    }

    @Test
    void aMissingDirectoryFailsSayingSo() {
        assertThatThrownBy(() -> new SourceFetcher().fetch(new CodeRepository(tmp.resolve("nope").toString(),
                SourceCodeVersion.branch("main"), null, null), Optional.empty(), tmp.resolve("into"), l -> { }))
                .isInstanceOf(BuildFailedException.class).hasMessageContaining("neither a directory nor a Git repository");
    }

    @Test
    void credentialsNeverShowTheirSecret() {
        assertThat(RepositoryCredential.token("ghp_secret").toString()).doesNotContain("ghp_secret");
        assertThat(RepositoryCredential.sshKey("-----BEGIN PRIVATE KEY-----").toString()).doesNotContain("PRIVATE");
    }

    @Test
    void aWorkingTreeIsCopiedAsItIsWithoutIgnoredOrDeletedFiles() throws Exception {
        Path repo = tmp.resolve("repo");
        try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve(".gitignore"), "*.log\nbuild/\n");
            Files.writeString(repo.resolve("a.txt"), "committed");
            Files.writeString(repo.resolve("d.txt"), "to be deleted");
            dev.slipway.core.testing.TestApps.commitAll(git, "first");
        }
        Files.writeString(repo.resolve("a.txt"), "changed");
        Files.writeString(repo.resolve("b.txt"), "untracked");
        Files.writeString(repo.resolve("c.log"), "ignored");
        Files.createDirectories(repo.resolve("build"));
        Files.writeString(repo.resolve("build/out.bin"), "ignored");
        Files.delete(repo.resolve("d.txt"));
        Path into = tmp.resolve("into");
        List<String> log = new ArrayList<>();

        FetchedSource fetched = new SourceFetcher(true, SourceFetcher.DEFAULT_IDLE_TIMEOUT).fetch(new CodeRepository(repo.toString(),
                SourceCodeVersion.branch("main"), null, null), Optional.empty(), into, log::add);

        assertThat(fetched.commitId()).isPresent();
        assertThat(into.resolve("a.txt")).hasContent("changed");
        assertThat(into.resolve("b.txt")).hasContent("untracked");
        assertThat(into.resolve(".gitignore")).exists();
        assertThat(into.resolve("c.log")).doesNotExist();
        assertThat(into.resolve("build")).doesNotExist();
        assertThat(into.resolve("d.txt")).doesNotExist();
        assertThat(into.resolve(".git")).doesNotExist();
        assertThat(log).anyMatch(l -> l.contains("as it is (branch main, based on commit " + fetched.commitId().get()
                + ", with local changes to 3 files)"));

        Path cloned = tmp.resolve("cloned");
        new SourceFetcher().fetch(new CodeRepository(repo.toString(), SourceCodeVersion.branch("main"), null, null),
                Optional.empty(), cloned, l -> { });
        assertThat(cloned.resolve("a.txt")).as("without working trees, the commit").hasContent("committed");
    }
}
