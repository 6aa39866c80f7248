package dev.slipway.benchmarks;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.*;
import dev.slipway.core.model.*;
import dev.slipway.core.store.SqliteStateStore;
import dev.slipway.core.store.StateCommit;
import dev.slipway.core.store.StoredState;
import dev.slipway.server.api.ApiCredentials;
import dev.slipway.server.api.ApiServer;
import java.util.Optional;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * What one change and one read cost with the state database, at 1, 1,000 and 10,000 services: TagResource,
 * UpdateService (the call, not the deployment it starts) and DescribeService, the last also while another thread tags
 * without pause (a reader never waits for a save); through the Java API, then through the API server (HTTP/1.1 with
 * SigV4 on one kept-alive connection, the client's signing included; {@link RawApiClient}). The services beyond the first are copies of a real
 * paused service's stored document, so that no instance runs for them. Prints p50, p99 and max in microseconds.
 * Usage: bench/state-writes.sh [counts...]
 */
public final class StateWritesBenchmark {
    /** The backend instances run on: {@code local} (processes), or {@code fake} (no process: the control plane's own part). */
    private static String backend = "local";

    public static void main(String[] args) throws Exception {
        Path app = Path.of(args[0]).toAbsolutePath();
        backend = System.getProperty("backend", "local");
        int[] counts = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray() : new int[] {1, 1000, 10000};
        System.out.println("backend " + backend);
        System.out.printf("%-8s %-28s %8s %8s %8s %8s%n", "services", "call", "calls", "p50 us", "p99 us", "max us");
        for (int n : counts) {
            run(app, n);
        }
    }

    private static void run(Path app, int n) throws Exception {
        Path state = Files.createTempDirectory("slipway-bench-");
        String arn;
        try (Slipway seed = open(state)) {
            CreateServiceResponse created = seed.createService(CreateServiceRequest.builder().serviceName("svc-0")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"),
                            CodeConfiguration.fromRepository(), null))).build());
            created.operation().awaitSuccess(Duration.ofMinutes(2));
            arn = created.service().serviceArn();
            seed.pauseService(new PauseServiceRequest(arn)).operation().awaitSuccess(Duration.ofMinutes(1));
        }
        copies(state.resolve("state.db"), n - 1);
        try (Slipway slipway = open(state)) {
            List<String> arns = slipway.listServices(new ListServicesRequest(20, null)).serviceSummaryList().stream()
                    .map(ServiceSummary::serviceArn).toList();
            slipway.resumeService(new ResumeServiceRequest(arn)).operation().awaitSuccess(Duration.ofMinutes(1));
            System.out.printf("%-8d %-28s %8d threads in this JVM after the start%n", n, "(threads)", Thread.activeCount());
            String any = arns.get(arns.size() - 1); // a copy, where there are copies
            IntFunction<String> random = i -> i % 2 == 0 ? arn : any;
            report(n, "TagResource", 2000, i -> slipway.tagResource(new TagResourceRequest(random.apply(i),
                    List.of(new Tag("k" + (i % 40), "v" + i)))));
            report(n, "DescribeService", 20000, i -> slipway.describeService(new DescribeServiceRequest(random.apply(i))));
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                for (int i = 0; writing.get(); i++) {
                    slipway.tagResource(new TagResourceRequest(arn, List.of(new Tag("w", "v" + i))));
                }
            });
            writer.start();
            report(n, "DescribeService, tags saved", 20000, i -> slipway.describeService(new DescribeServiceRequest(random.apply(i))));
            writing.set(false);
            writer.join();
            await(slipway, arn);
            report(n, "UpdateService (the call)", 30, i -> {
                slipway.updateService(UpdateServiceRequest.builder(arn)
                        .instanceConfiguration(new InstanceConfiguration(i % 2 == 0 ? "512" : "1024", "2048", null)).build());
            }, () -> await(slipway, arn));

            ApiCredentials keys = new ApiCredentials("AKIDSLIPWAYBENCH0001", "bench-secret-key-0123456789abcdefghij", Optional.empty());
            try (ApiServer server = ApiServer.start(slipway, keys, "127.0.0.1", 0);
                 RawApiClient api = new RawApiClient(server.port(), keys, slipway.region())) {
                report(n, "API: DescribeService", 10000, i -> ok(api.post("AppRunner.DescribeService",
                        "{\"ServiceArn\":\"" + random.apply(i) + "\"}")));
                report(n, "API: TagResource", 1000, i -> ok(api.post("AppRunner.TagResource", "{\"ResourceArn\":\""
                        + random.apply(i) + "\",\"Tags\":[{\"Key\":\"k" + (i % 40) + "\",\"Value\":\"v" + i + "\"}]}")));
                report(n, "API: UpdateService (the call)", 30, i -> {
                    ok(api.post("AppRunner.UpdateService", "{\"ServiceArn\":\"" + arn + "\",\"InstanceConfiguration\":{\"Cpu\":\""
                            + (i % 2 == 0 ? "512" : "1024") + "\",\"Memory\":\"2048\"}}"));
                }, () -> await(slipway, arn));
            }
        }
        dev.slipway.core.source.SourceFetcher.deleteTree(state);
    }

    private static void ok(String statusLine) {
        if (!statusLine.startsWith("HTTP/1.1 200")) {
            throw new IllegalStateException("the API answered " + statusLine);
        }
    }

    private static Slipway open(Path state) {
        return Slipway.builder().backend(backend).stateDir(state).durableState(true).routerPort(0).autoscaling(false)
                .deployWorkingTrees(true).build();
    }

    /** {@code n} more paused services: copies of the first one's document, with their own names and ids. */
    private static void copies(Path db, int n) {
        try (SqliteStateStore store = new SqliteStateStore(db)) {
            StoredState stored = store.load().orElseThrow();
            Map.Entry<String, String> first = stored.documents().entrySet().stream().filter(e -> e.getKey().startsWith("service/"))
                    .findFirst().orElseThrow();
            String id = first.getKey().substring("service/".length());
            Map<String, String> puts = new HashMap<>();
            for (int i = 1; i <= n; i++) {
                String copyId = String.format("%032x", i);
                puts.put("service/" + copyId, first.getValue().replace(id, copyId).replace("svc-0", "svc-" + i)
                        .replace("\"" + id.substring(0, 6), "\"" + copyId.substring(0, 6)));
            }
            store.commit(new StateCommit(stored.schemaVersion(), puts, Set.of()));
        }
    }

    /**
     * Waits for the service to be RUNNING again after an update, then {@code -Dquiet} ms more (500 by default): the
     * update's previous instance drains and stops meanwhile, so its stopping is not timed with the next call.
     */
    private static void await(Slipway slipway, String arn) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (slipway.describeService(new DescribeServiceRequest(arn)).service().status() != ServiceStatus.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the service did not become RUNNING");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(Long.getLong("quiet", 500) * 1_000_000);
    }

    interface Call {
        void run(int i) throws Exception;
    }

    private static void report(int n, String name, int calls, Call call) throws Exception {
        report(n, name, calls, call, () -> { });
    }

    /**
     * Times {@code calls} calls after as many unmeasured ones (at least 2,000; 40 of the slow ones), for the JIT, running
     * {@code between} untimed after each.
     */
    private static void report(int n, String name, int calls, Call call, Runnable between) throws Exception {
        int warm = calls > 100 ? Math.max(calls, 2000) : 40;
        for (int i = 0; i < warm; i++) {
            call.run(i);
            between.run();
        }
        long[] nanos = new long[calls];
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            call.run(i + ThreadLocalRandom.current().nextInt(1000));
            nanos[i] = System.nanoTime() - start;
            between.run();
        }
        Arrays.sort(nanos);
        System.out.printf("%-8d %-28s %8d %8.1f %8.1f %8.1f%n", n, name, calls, nanos[calls / 2] / 1e3,
                nanos[(int) (calls * 0.99)] / 1e3, nanos[calls - 1] / 1e3);
    }
}
