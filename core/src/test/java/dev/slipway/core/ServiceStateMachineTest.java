package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.api.*;
import dev.slipway.core.model.*;
import dev.slipway.core.routing.Route;
import dev.slipway.core.store.InMemoryStateStore;
import dev.slipway.core.testing.FakeBackend;
import dev.slipway.core.testing.TestApps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * One service through random interleavings of what changes it: deployments and updates (not awaited), scales landing
 * at any time (as the autoscaler's: {@code Slipway.scaleTo} takes the reconciler's lever the autoscaler takes), pauses,
 * resumes, crashes of its instances, restarts of the control plane on the same store, and its deletion, on the fake
 * backend. After every step: one operation at a time, and none failed for a scale ("superseded"); once everything
 * settled: a RUNNING service serves from at least one instance, a PAUSED one from none; a restart keeps the service,
 * its settings and its operations as they were; a deletion leaves no instance.
 */
class ServiceStateMachineTest {
    private static final Duration OP = Duration.ofSeconds(30);
    private final List<World> worlds = new ArrayList<>();

    @Property(tries = 12)
    void whateverChangesTheServiceTheInvariantsHold(@ForAll("chains") ActionChain<World> chain) {
        chain.withInvariant("one operation at a time", World::oneOperationAtATime)
                .withInvariant("no operation failed for a scale", World::noneSuperseded)
                .run();
    }

    @AfterTry
    void closeWorlds() {
        worlds.forEach(World::close);
        worlds.clear();
    }

    @Provide
    Arbitrary<ActionChain<World>> chains() {
        return ActionChain.<World>startWith(this::newWorld)
                .withAction(3, mutate("deploy", w -> w.status() == ServiceStatus.RUNNING,
                        w -> w.started(w.slipway.startDeployment(new StartDeploymentRequest(w.arn)).operation())))
                .withAction(2, mutate("update", w -> w.status() == ServiceStatus.RUNNING, World::update))
                .withAction(3, scale())
                .withAction(2, mutate("crash an instance", w -> !w.deleted && !w.fake.runningIds().isEmpty(), World::crash))
                .withAction(1, mutate("pause", w -> w.status() == ServiceStatus.RUNNING,
                        w -> w.started(w.slipway.pauseService(new PauseServiceRequest(w.arn)).operation())))
                .withAction(1, mutate("resume", w -> w.status() == ServiceStatus.PAUSED,
                        w -> w.started(w.slipway.resumeService(new ResumeServiceRequest(w.arn)).operation())))
                .withAction(3, mutate("settle", w -> !w.deleted, World::settle))
                .withAction(1, mutate("restart the control plane", w -> !w.deleted, World::restart))
                .withAction(1, mutate("delete", w -> w.status() == ServiceStatus.RUNNING || w.status() == ServiceStatus.PAUSED,
                        World::delete))
                .withAction(1, Action.<World>when(w -> w.deleted).just(Transformer.endOfChain()))
                .withMaxTransformations(14);
    }

    /** A scale to 1, 2 or 3 instances, while the service runs or an operation is under way. */
    private static Action<World> scale() {
        return new Action.Independent<>() {
            @Override
            public boolean precondition(World w) {
                return w.status() == ServiceStatus.RUNNING || w.status() == ServiceStatus.OPERATION_IN_PROGRESS;
            }

            @Override
            public Arbitrary<Transformer<World>> transformer() {
                return Arbitraries.integers().between(1, 3).map(n -> Transformer.mutate("scale to " + n, w -> w.scaleTo(n)));
            }
        };
    }

    private static Action<World> mutate(String name, java.util.function.Predicate<World> when, java.util.function.Consumer<World> change) {
        return Action.<World>when(when).describeAs(name).justMutate(change::accept);
    }

    private World newWorld() {
        World w = new World();
        worlds.add(w);
        return w;
    }

    /** The service, its Slipway, the fake backend, the store a restart opens again, and the operations started. */
    static final class World {
        final Path dir;
        final InMemoryStateStore store = new InMemoryStateStore();
        Slipway slipway;
        FakeBackend fake;
        final String arn;
        final String url;
        final List<Operation> operations = new ArrayList<>();
        boolean deleted;
        int cpu = 1024;

        World() {
            try {
                dir = Files.createTempDirectory("slipway-machine-");
                TestApps.writePythonGreeter(dir.resolve("app"), "Hello", "Jane");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            open();
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("machine")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(dir.resolve("app").toString(),
                            SourceCodeVersion.branch("main"), null, null))).build());
            arn = created.service().serviceArn();
            url = created.service().serviceUrl();
            started(created.operation());
            settle();
        }

        private void open() {
            fake = new FakeBackend();
            slipway = Slipway.builder().backend(fake).routerPort(-1).stateDir(dir.resolve("state")).stateStore(store)
                    .autoscaling(false).timeouts(new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1)))
                    .build();
        }

        ServiceStatus status() {
            return deleted ? ServiceStatus.DELETED : slipway.describeService(new DescribeServiceRequest(arn)).service().status();
        }

        void started(Operation op) {
            operations.add(op);
        }

        void update() {
            cpu = cpu == 1024 ? 2048 : 1024;
            started(slipway.updateService(UpdateServiceRequest.builder(arn)
                    .instanceConfiguration(new InstanceConfiguration(String.valueOf(cpu), "4096", null)).build()).operation());
        }

        void scaleTo(int n) {
            try {
                slipway.scaleTo(arn, n);
            } catch (InvalidStateException pausedMeanwhile) {
                // the status moved on between the precondition and the call (a pause ended): nothing was changed
            }
        }

        void crash() {
            List<String> running = fake.runningIds();
            if (!running.isEmpty()) {
                fake.crash(running.get(0), 137);
            }
        }

        /** Every operation ends; then a RUNNING service serves from at least one instance and a PAUSED one from none. */
        void settle() {
            for (Operation op : operations) {
                await().atMost(OP).until(() -> op.future().isDone());
            }
            await().atMost(OP).until(() -> status() != ServiceStatus.OPERATION_IN_PROGRESS);
            if (status() == ServiceStatus.RUNNING) {
                await().atMost(OP).until(() -> endpoints() >= 1);
            } else if (status() == ServiceStatus.PAUSED) {
                await().atMost(OP).until(() -> fake.runningIds().isEmpty());
            }
        }

        /** Closes Slipway and opens a new one on the same store: the service is as it was, and serves as it did. */
        void restart() {
            settle();
            Service before = slipway.describeService(new DescribeServiceRequest(arn)).service();
            List<OperationSummary> ops = operations();
            slipway.close();
            open();
            await().atMost(OP).until(() -> status() != ServiceStatus.OPERATION_IN_PROGRESS); // maintenance while it starts again
            Service after = slipway.describeService(new DescribeServiceRequest(arn)).service();
            assertThat(after.status()).isEqualTo(before.status());
            assertThat(after.instanceConfiguration()).isEqualTo(before.instanceConfiguration());
            assertThat(after.serviceUrl()).isEqualTo(before.serviceUrl());
            assertThat(operations()).isEqualTo(ops);
            operations.clear();
            settle();
        }

        void delete() {
            settle();
            Operation op = slipway.deleteService(new DeleteServiceRequest(arn)).operation();
            assertThat(op.future().join().status()).isEqualTo(OperationStatus.SUCCEEDED);
            deleted = true;
            assertThat(fake.runningIds()).as("no instance left after delete").isEmpty();
            assertThat(slipway.listServices(new ListServicesRequest(null, null)).serviceSummaryList()).isEmpty();
        }

        void oneOperationAtATime() {
            if (!deleted) {
                assertThat(operations()).filteredOn(o -> !o.isDone()).hasSizeLessThanOrEqualTo(1);
            }
        }

        void noneSuperseded() {
            for (Operation op : operations) {
                op.failureReason().ifPresent(reason -> assertThat(reason).as(op.type() + " " + op.id()).doesNotContain("superseded"));
            }
        }

        private List<OperationSummary> operations() {
            return slipway.listOperations(new ListOperationsRequest(arn, null, null)).operationSummaryList();
        }

        private int endpoints() {
            return slipway.routes().route(url).map(Route::endpoints).map(List::size).orElse(0);
        }

        void close() {
            slipway.close();
            dev.slipway.core.source.SourceFetcher.deleteTree(dir);
        }

        @Override
        public String toString() {
            return "World[" + (deleted ? "deleted" : "service " + arn) + "]";
        }
    }
}
