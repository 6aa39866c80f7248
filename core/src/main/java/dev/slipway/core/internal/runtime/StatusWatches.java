package dev.slipway.core.internal.runtime;

import dev.slipway.core.build.BuildFailedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Futures decided by a reconciler's published statuses: what an operation or a scale waits for, read from the
 * conditions instead of being signalled from inside the reconcile. Confined to the reconciler's loop; the futures are
 * completed on {@code completions}, so that what a caller chained to them never runs on the loop.
 */
final class StatusWatches {
    /** A question about the status: {@code null} while undecided, {@link #MET}, or why it never will be. */
    interface Test {
        String decide(ReconcilerStatus status);
    }

    static final String MET = "";

    private record Watch(Test test, CompletableFuture<Void> future) {
    }

    private final List<Watch> watches = new ArrayList<>();
    private final Executor completions;

    StatusWatches(Executor completions) {
        this.completions = completions;
    }

    /** Watches {@code test} from the status {@code now} on. */
    void add(Test test, CompletableFuture<Void> future, ReconcilerStatus now) {
        Watch w = new Watch(test, future);
        if (!decided(w, now)) {
            watches.add(w);
        }
    }

    /** Decides every watch the new status answers. */
    void publish(ReconcilerStatus status) {
        watches.removeIf(w -> decided(w, status));
    }

    void failAll(String why) {
        watches.forEach(w -> complete(w.future, why));
        watches.clear();
    }

    private boolean decided(Watch w, ReconcilerStatus status) {
        String verdict = w.test.decide(status);
        if (verdict == null) {
            return false;
        }
        complete(w.future, verdict);
        return true;
    }

    private void complete(CompletableFuture<Void> f, String verdict) {
        Runnable done = () -> {
            if (verdict.equals(MET)) {
                f.complete(null);
            } else {
                f.completeExceptionally(new BuildFailedException(verdict));
            }
        };
        try {
            completions.execute(done);
        } catch (RejectedExecutionException stopping) {
            done.run();
        }
    }
}
