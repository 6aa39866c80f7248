package dev.slipway.core.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many services' loops on shared threads: each runs its work in order and one piece at a time; a closed one drops it. */
class SerialLoopTest {
    private final ReconcilerThreads threads = ReconcilerThreads.start();

    @AfterEach
    void close() {
        threads.close();
    }

    @Test
    void eachLoopRunsItsWorkInOrderAndNeverTwoPiecesAtOnceWhileManyShareTheThreads() {
        int loops = 200;
        int pieces = 100;
        List<ConcurrentLinkedQueue<Integer>> ran = new ArrayList<>();
        AtomicInteger overlaps = new AtomicInteger();
        for (int l = 0; l < loops; l++) {
            String name = "loop-" + l;
            SerialLoop loop = new SerialLoop(name, threads.work(), threads.timer());
            ConcurrentLinkedQueue<Integer> order = new ConcurrentLinkedQueue<>();
            AtomicInteger inside = new AtomicInteger();
            ran.add(order);
            for (int p = 0; p < pieces; p++) {
                int piece = p;
                loop.execute(() -> {
                    if (inside.incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    if (Thread.currentThread().getName().equals(name)) { // a failed assertion here would only be logged
                        order.add(piece);
                    }
                    inside.decrementAndGet();
                });
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> ran.stream().allMatch(q -> q.size() == pieces));
        assertThat(overlaps).hasValue(0);
        List<Integer> expected = java.util.stream.IntStream.range(0, pieces).boxed().toList();
        ran.forEach(order -> assertThat(order).containsExactlyElementsOf(expected));
    }

    @Test
    void delayedWorkRunsOnTheLoopAndAClosedLoopDropsWhatWaitsAndRefusesMore() throws Exception {
        SerialLoop loop = new SerialLoop("delayed", threads.work(), threads.timer());
        CountDownLatch ran = new CountDownLatch(1);
        loop.schedule(() -> {
            assertThat(Thread.currentThread().getName()).isEqualTo("delayed");
            ran.countDown();
        }, 50, TimeUnit.MILLISECONDS);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();

        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger after = new AtomicInteger();
        loop.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        loop.execute(after::incrementAndGet);
        loop.schedule(after::incrementAndGet, 10, TimeUnit.MILLISECONDS);
        loop.shutdownNow();
        release.countDown();

        assertThatThrownBy(() -> loop.execute(after::incrementAndGet)).isInstanceOf(RejectedExecutionException.class);
        CountDownLatch later = new CountDownLatch(1);
        threads.timer().schedule(later::countDown, 200, TimeUnit.MILLISECONDS); // after the delayed piece was due
        assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(after).as("what waited, and what came due after closing, was dropped").hasValue(0);
    }
}
