package dev.slipway.core.source;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Source code checked out for one deployment.
 *
 * @param checkout  the whole checkout, to delete when done
 * @param root      the directory to build: the checkout narrowed to the SourceDirectory
 * @param commitId  the deployed commit, when the source is a Git repository
 * @param localChanges whether a working tree was deployed with changes its commit does not have
 */
public record FetchedSource(Path checkout, Path root, Optional<String> commitId, boolean localChanges) {
    public FetchedSource(Path checkout, Path root, Optional<String> commitId) {
        this(checkout, root, commitId, false);
    }
}
