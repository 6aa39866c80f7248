package dev.slipway.server;

import dev.slipway.core.Slipway;
import dev.slipway.core.SlipwayException;
import dev.slipway.core.api.StartDeploymentRequest;
import dev.slipway.core.api.StartDeploymentResponse;
import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.model.OperationSummary;
import dev.slipway.core.source.SourceWatcher;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code slipway up --watch}: each settled batch of changes to the source tree starts a deployment of the working tree
 * (blue/green as always: the running revision serves until the new one is healthy) and prints what changed, how long it
 * took from the first save to the new revision serving, or why the deployment failed. Changes made while a deployment
 * runs are deployed by the next one (the watcher's events wait meanwhile).
 */
final class DeploymentWatch implements AutoCloseable {
    /** The deployment log's line when traffic has moved to the new revision (the step after the switch starts). */
    static final String SWITCHED = "Draining and stopping the previous instances";
    private static final Duration DEBOUNCE = Duration.ofMillis(100);

    private final SourceWatcher watcher;

    private DeploymentWatch(SourceWatcher watcher) {
        this.watcher = watcher;
    }

    /**
     * Watches {@code dir} and redeploys {@code serviceArn} on changes; {@code switched} is set (by the log listener of
     * {@code slipway}) when a deployment's traffic switched.
     */
    static DeploymentWatch start(Slipway slipway, String serviceArn, Path dir, AtomicReference<Instant> switched, PrintWriter out)
            throws IOException {
        SourceWatcher watcher = SourceWatcher.start(dir, DEBOUNCE, (changed, firstSeen) ->
                redeploy(slipway, serviceArn, dir, changed, firstSeen, switched, out));
        out.println("[watch] Watching " + dir + ": saving a file redeploys (not what .gitignore ignores, .git or build outputs)");
        out.flush();
        return new DeploymentWatch(watcher);
    }

    private static void redeploy(Slipway slipway, String serviceArn, Path dir, Set<Path> changed, Instant firstSeen,
                                 AtomicReference<Instant> switched, PrintWriter out) {
        out.println("[watch] Changed: " + describe(dir, changed) + "; deploying the working tree");
        out.flush();
        switched.set(null);
        OperationSummary result;
        StartDeploymentResponse started;
        try {
            started = slipway.startDeployment(new StartDeploymentRequest(serviceArn));
            result = started.operation().await(Duration.ofHours(1));
        } catch (SlipwayException e) {
            out.println("[watch] Could not deploy: " + e.getMessage());
            out.flush();
            return;
        } catch (java.util.concurrent.TimeoutException e) {
            out.println("[watch] The deployment did not end within an hour");
            out.flush();
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Instant served = switched.get();
        if (result.status() == OperationStatus.SUCCEEDED && served != null) {
            out.println("[watch] Served by the new revision " + seconds(Duration.between(firstSeen, served))
                    + " after the save (deployment done in " + seconds(Duration.between(firstSeen, Instant.now())) + ")");
        } else {
            out.println("[watch] The deployment failed: " + started.operation().failureReason().orElse("see the log above")
                    + ". The previous revision keeps serving; fix it and save again.");
        }
        out.flush();
    }

    private static String describe(Path dir, Set<Path> changed) {
        if (changed.contains(dir.toAbsolutePath().normalize())) {
            return "files (the watch lost count)";
        }
        var names = changed.stream().map(p -> dir.toAbsolutePath().normalize().relativize(p).toString()).sorted().toList();
        return names.size() <= 3 ? String.join(", ", names) : String.join(", ", names.subList(0, 3)) + " and " + (names.size() - 3) + " more";
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.2f s", d.toMillis() / 1000.0);
    }

    @Override
    public void close() {
        watcher.close();
    }
}
