package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.api.*;
import dev.slipway.core.model.*;
import dev.slipway.core.routing.Route;
import dev.slipway.core.routing.RoutingView;
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
 * at any time ({@code Slipway.scaleTo}), requests in flight (leases of the routing table, as the router takes them)
 * and autoscaler rounds on a clock the test moves, pauses, resumes, crashes of its instances, restarts of the control
 * plane on the same store, and its deletion, on the fake backend. After every step: one operation at a time, none
 * failed for a scale ("superseded"), and a service that served keeps serving from at least one instance through
 * deployments, updates, scales and autoscaling (until a crash, pause or restart); once everything settled: a RUNNING
 * service serves from at least one instance, a PAUSED one from none; a restart keeps the service, its settings and its
 * operations as they were; a deletion leaves no instance.
 */
class ServiceStateMachineTest {
    private static final Duration OP = Duration.ofSeconds(30);
    private final List<World> worlds = new ArrayList<>();

    @Property(tries = 12)
    void whateverChangesTheServiceTheInvariantsHold(@ForAll("chains") ActionChain<World> chain) {
        chain.withInvariant("one operation at a time", World::oneOperationAtATime)
                .withInvariant("no operation failed for a scale", World::noneSuperseded)
                .withInvariant("a serving service keeps serving", World::keepsServing)
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
                .withAction(2, requests())
                .withAction(3, autoscalerRound())
                .withAction(2, mutate("crash an instance", w -> !w.deleted && !w.fake.runningIds().isEmpty(), World::crash))
                .withAction(1, mutate("pause", w -> w.status() == ServiceStatus.RUNNING, World::pause))
                .withAction(1, mutate("resume", w -> w.status() == ServiceStatus.PAUSED,
                        w -> w.started(w.slipway.resumeService(new ResumeServiceRequest(w.arn)).operation())))
                .withAction(3, mutate("settle", w -> !w.deleted, World::settle))
                .withAction(1, mutate("restart the control plane", w -> !w.deleted, World::restart))
                .withAction(1, mutate("delete", w -> w.status() == ServiceStatus.RUNNING || w.status() == ServiceStatus.PAUSED,
                        World::delete))
                .withAction(1, Action.<World>when(w -> w.deleted).just(Transformer.endOfChain()))
                .withMaxTransformations(16);
    }

    /** A scale to 1, 2 or 3 instances, while the service runs or an operation is under way. */
    private static Action<World> scale() {
        return independent(w -> w.status() == ServiceStatus.RUNNING || w.status() == ServiceStatus.OPERATION_IN_PROGRESS,
                Arbitraries.integers().between(1, 3).map(n -> Transformer.mutate("scale to " + n, w -> w.scaleTo(n))));
    }

    /** 1 to 6 requests start (as many as MaxConcurrency 2 lets in), or every request in flight ends. */
    private static Action<World> requests() {
        return independent(w -> !w.deleted, Arbitraries.integers().between(0, 6).map(n -> n == 0
                ? Transformer.mutate("requests end", World::endRequests)
                : Transformer.mutate(n + " requests start", w -> w.startRequests(n))));
    }

    /** The clock moves 2 s (a tick), 20 s or 70 s (past the stable window), and the autoscaler decides. */
    private static Action<World> autoscalerRound() {
        return independent(w -> !w.deleted,
                Arbitraries.of(2, 20, 70).map(s -> Transformer.mutate("autoscaler after " + s + " s", w -> w.autoscale(s))));
    }

    /** An action drawn from {@code transformers} whenever {@code when} holds. */
    private static Action<World> independent(java.util.function.Predicate<World> when, Arbitrary<Transformer<World>> transformers) {
        return new Action.Independent<>() {
            @Override
            public boolean precondition(World w) {
                return when.test(w);
            }

            @Override
            public Arbitrary<Transformer<World>> transformer() {
                return transformers;
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

    /** A clock that moves only when the test says. */
    static final class MovableClock extends java.time.Clock {
        private volatile java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }
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
        final MovableClock clock = new MovableClock();
        final List<RoutingView.Lease> requests = new ArrayList<>();
        boolean deleted;
        /** The service served at the last settle, and nothing that may stop it (crash, pause, restart) came since. */
        boolean serving;
        int cpu = 1024;

        World() {
            try {
                dir = Files.createTempDirectory("slipway-machine-");
                TestApps.writePythonGreeter(dir.resolve("app"), "Hello", "Jane");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            open();
            String scaling = slipway.createAutoScalingConfiguration(new CreateAutoScalingConfigurationRequest("machine", 2, 1, 3, null))
                    .autoScalingConfiguration().autoScalingConfigurationArn();
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("machine")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(dir.resolve("app").toString(),
                            SourceCodeVersion.branch("main"), null, null))).autoScalingConfigurationArn(scaling)
                    // a new instance is healthy after two checks a second apart: a rollout takes a while, and the
                    // invariants are checked while it does
                    .healthCheckConfiguration(new HealthCheckConfiguration(HealthCheckProtocol.TCP, null, 1, 1, 2, 5)).build());
            arn = created.service().serviceArn();
            url = created.service().serviceUrl();
            started(created.operation());
            settle();
        }

        private void open() {
            fake = new FakeBackend();
            slipway = Slipway.builder().backend(fake).routerPort(-1).stateDir(dir.resolve("state")).stateStore(store)
                    .autoscaling(false).clock(clock).timeouts(new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1)))
                    .build();
        }

        ServiceStatus status() {
            return deleted ? ServiceStatus.DELETED : slipway.describeService(new DescribeServiceRequest(arn)).service().status();
        }

        void started(Operation op) {
            operations.add(op);
        }

        void pause() {
            serving = false;
            started(slipway.pauseService(new PauseServiceRequest(arn)).operation());
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
            serving = false;
            List<String> running = fake.runningIds();
            if (!running.isEmpty()) {
                fake.crash(running.get(0), 137);
            }
        }

        /** Requests arrive as the router takes them: leased while an instance has room, else they give up at once. */
        void startRequests(int n) {
            for (int k = 0; k < n; k++) {
                if (slipway.routing().acquire(url) instanceof RoutingView.Acquisition.Leased leased) {
                    requests.add(leased.lease());
                } else {
                    return; // not serving, or every instance is busy (a queued request is not counted as in flight)
                }
            }
        }

        void endRequests() {
            requests.forEach(RoutingView.Lease::release);
            requests.clear();
        }

        /** An autoscaler round {@code seconds} later, seeing the requests in flight. */
        void autoscale(int seconds) {
            clock.advance(Duration.ofSeconds(seconds));
            slipway.autoscaleNow();
        }

        /** Every operation ends; then a RUNNING service serves from at least one instance and a PAUSED one from none. */
        void settle() {
            endRequests();
            for (Operation op : operations) {
                await().atMost(OP).until(() -> op.future().isDone());
            }
            await().atMost(OP).until(() -> status() != ServiceStatus.OPERATION_IN_PROGRESS);
            if (status() == ServiceStatus.RUNNING) {
                await().atMost(OP).until(() -> endpoints() >= 1);
                serving = true;
            } else if (status() == ServiceStatus.PAUSED) {
                await().atMost(OP).until(() -> fake.runningIds().isEmpty());
            }
        }

        /** Closes Slipway and opens a new one on the same store: the service is as it was, and serves as it did. */
        void restart() {
            settle();
            serving = false;
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
            serving = false;
            Operation op = slipway.deleteService(new DeleteServiceRequest(arn)).operation();
            assertThat(op.future().join().status()).isEqualTo(OperationStatus.SUCCEEDED);
            deleted = true;
            assertThat(fake.runningIds()).as("no instance left after delete").isEmpty();
            assertThat(slipway.listServices(new ListServicesRequest(null, null)).serviceSummaryList()).isEmpty();
        }

        void keepsServing() {
            if (serving && !deleted && status() != ServiceStatus.PAUSED) {
                assertThat(endpoints()).as("instances serving").isGreaterThanOrEqualTo(1);
            }
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
            endRequests();
            slipway.close();
            dev.slipway.core.source.SourceFetcher.deleteTree(dir);
        }

        @Override
        public String toString() {
            return "World[" + (deleted ? "deleted" : "service " + arn) + "]";
        }
    }
}
