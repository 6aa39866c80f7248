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
}
