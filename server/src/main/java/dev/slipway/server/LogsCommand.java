package dev.slipway.server;

import dev.slipway.core.observe.LogStreams;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code slipway logs}: prints a service's log streams from the state directory, and follows them. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        header = "Print a service's logs (events, deployments, application output), and follow them.",
        description = {"Print a service's logs, as the guide's log streams name them:",
                "  events                    service events (operations, replaced instances) - the default",
                "  deployment/<operation-id> the [AppRunner] steps and [Build] output of one operation",
                "  instance/<instance-id>    what the application printed",
                "",
                "Examples:",
                "  slipway logs python-test",
                "  slipway logs python-test --deployment latest",
                "  slipway logs python-test --application --follow"})
final class LogsCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SERVICE", description = "The service name.")
    String service;

    @Option(names = "--deployment", paramLabel = "OPERATION-ID", description = "A deployment log: an operation id, or 'latest'.")
    String deployment;

    @Option(names = "--instance", paramLabel = "INSTANCE-ID", description = "One instance's application log.")
    String instance;

    @Option(names = "--application", description = "The application logs of every instance.")
    boolean application;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until Ctrl-C.")
    boolean follow;

    @Mixin
    StateDirOption stateDir;

    @picocli.CommandLine.Mixin
    MasterKeyOption masterKey;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LogStreams server = new LogStreams(stateDir.path.resolve("logs"));
        server.keys(name -> { // the logs of a service with an EncryptionConfiguration, with the state's key ring
            try {
                return java.util.Optional.of(masterKey.open(stateDir.path).aead(name));
            } catch (IllegalStateException e) {
                return java.util.Optional.empty();
            }
        });
        LogStreams up = new LogStreams(stateDir.up(service).resolve("logs"));
        LogStreams logs = server.services().contains(service) ? server : up;
        if (!logs.services().contains(service)) {
            List<String> known = new java.util.ArrayList<>(server.services());
            try (var ups = Files.list(stateDir.path.resolve("up"))) {
                ups.map(p -> p.getFileName().toString() + " (slipway up)").sorted().forEach(known::add);
            } catch (java.io.IOException e) {
                // no slipway up ran here
            }
            err.println("slipway logs: no logs for a service named '" + service + "' in " + stateDir.path.resolve("logs")
                    + " (slipway server) or " + stateDir.up(service).resolve("logs") + " (slipway up); services with logs: "
                    + orNone(known));
            return 2;
        }
        List<String> streams = selected(logs.streams(service));
        if (streams.isEmpty() || !follow && !logs.streams(service).containsAll(streams)) {
            err.println("slipway logs: no such log for " + service + "; streams: " + orNone(logs.streams(service)));
            return 2;
        }
        Map<String, LogStreams.Tail> tails = new LinkedHashMap<>();
        streams.forEach(s -> tails.put(s, logs.tail(service, s)));
        boolean prefix = streams.size() > 1 || application;
        do {
            if (application && follow) {
                selected(logs.streams(service)).forEach(s -> tails.computeIfAbsent(s, n -> logs.tail(service, n)));
            }
            for (Map.Entry<String, LogStreams.Tail> e : tails.entrySet()) {
                String id = e.getKey().substring(e.getKey().indexOf('/') + 1);
                for (String line : e.getValue().next()) {
                    out.println(prefix ? "[" + id.substring(0, Math.min(6, id.length())) + "] " + line : line);
                }
            }
            out.flush();
            if (follow) {
                Thread.sleep(200); // polling a file; there is no condition to wait on
            }
        } while (follow);
        return 0;
    }

    /** The streams the options ask for, among those that exist (a named one even if it does not exist yet). */
    private List<String> selected(List<String> existing) {
        if (deployment != null) {
            if (!deployment.equals("latest")) {
                return List.of("deployment/" + deployment);
            }
            List<String> deployments = existing.stream().filter(s -> s.startsWith("deployment/")).toList();
            return deployments.isEmpty() ? List.of() : List.of(deployments.get(deployments.size() - 1));
        }
        if (instance != null) {
            return List.of("instance/" + instance);
        }
        if (application) {
            return existing.stream().filter(s -> s.startsWith("instance/")).toList();
        }
        return List.of("events");
    }

    private static String orNone(List<String> names) {
        return names.isEmpty() ? "none yet" : String.join(", ", names);
    }
}
