package dev.slipway.backend.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * Leadership of a control plane whose state is in the cluster, with fabric8's leader election on a Lease: of the
 * replicas of {@code slipway server}, only the one that holds the Lease loads the state and reconciles; the others
 * wait (not listening, so not ready). The holder renews the Lease every 2 s; if it cannot for 10 s it has lost it, and
 * {@code onLost} runs (the server stops at once, without touching what the next leader takes over). A replica that
 * closes releases the Lease, so the next one leads without waiting for it to expire (15 s).
 */
public final class KubernetesLeadership implements AutoCloseable {
    private final CompletableFuture<?> election;
    private volatile boolean closing;

    private KubernetesLeadership(KubernetesClient client, String namespace, String lease, String identity, Runnable onLost,
                                 Consumer<String> newLeader, CountDownLatch leading) {
        this.election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder().withName(lease)
                .withLock(new LeaseLock(namespace, lease, identity)).withLeaseDuration(Duration.ofSeconds(15))
                .withRenewDeadline(Duration.ofSeconds(10)).withRetryPeriod(Duration.ofSeconds(2)).withReleaseOnCancel()
                .withLeaderCallbacks(new LeaderCallbacks(leading::countDown, () -> {
                    if (!closing) {
                        onLost.run();
                    }
                }, newLeader)).build()).build().start();
    }

    /**
     * Blocks until this replica holds the Lease {@code lease} in {@code namespace}.
     *
     * @param identity  this replica's name in the Lease (e.g. its pod name)
     * @param onLost    runs if the Lease is lost later
     * @param newLeader told the identity of each new holder (also while waiting)
     */
    public static KubernetesLeadership acquire(KubernetesClient client, String namespace, String lease, String identity,
                                               Runnable onLost, Consumer<String> newLeader) throws InterruptedException {
        CountDownLatch leading = new CountDownLatch(1);
        KubernetesLeadership leadership = new KubernetesLeadership(client, namespace, lease, identity, onLost, newLeader, leading);
        try {
            leading.await();
        } catch (InterruptedException e) {
            leadership.close();
            throw e;
        }
        return leadership;
    }

    /** Gives the Lease up. */
    @Override
    public void close() {
        closing = true;
        election.cancel(true);
    }
}
