package dev.slipway.server;

import dev.slipway.core.Operation;
import dev.slipway.core.SlipwayException;
import dev.slipway.core.Slipway;
import dev.slipway.core.SlipwayBuilder;
import dev.slipway.tls.LocalCertificateAuthority;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.build.ConfigurationGuess;
import dev.slipway.core.build.PlanOverrides;
import dev.slipway.core.model.CodeConfiguration;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.model.OperationSummary;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.source.AppRunnerYaml;
import dev.slipway.core.source.ConfigurationFileException;
import dev.slipway.core.source.SourceFetcher;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Ref;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway up}: builds a source directory or Git repository, runs it behind the router, until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        header = "Build and run a web service from a directory or Git URL until Ctrl-C.",
        description = {"Build and run a web service from source, stream the build and deployment log, print its URL, and "
                + "serve it through the router until Ctrl-C, which stops every process it started.",
                "",
                "Build and run settings come from apprunner.yaml at the source root (the App Runner configuration "
                        + "file; 'slipway help apprunner.yaml' shows every key). Without one, Slipway guesses from the "
                        + "files (package.json, pom.xml, build.gradle, go.mod, Gemfile, Python files, index.html) and "
                        + "prints what it guessed; 'slipway init DIR' writes the guess to apprunner.yaml for you to edit.",
                "",
                "Examples:",
                "  slipway up examples/python-hello",
                "  slipway up examples/python-hello --env NAME=Jane --router-port 8080",
                "  slipway up examples/python-hello --watch",
                "  slipway up https://github.com/you/app.git --branch main --name my-app"})
final class UpCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SOURCE", description = "A directory, or a Git URL (file://, https://).")
    String source;

    @Option(names = "--branch", description = "Git branch whose head commit to deploy. Without it, a local Git working tree "
            + "is deployed as it is (uncommitted and untracked files too, not ignored ones), and a Git URL's default branch.")
    String branch;

    @Option(names = "--name", description = "Service name, 4-40 of [A-Za-z0-9-_] (default: from SOURCE).")
    String name;

    @Option(names = "--port", description = "Port the application listens on; wins over apprunner.yaml's (default: "
            + "apprunner.yaml's, else 8080). The local backend passes the actual port in PORT.")
    Integer port;

    @Option(names = "--env", paramLabel = "KEY=VALUE", description = "Environment variable for the application (repeatable); wins over apprunner.yaml's run.env.")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(names = "--router-port", description = "Port of the router (default: ${DEFAULT-VALUE}).", defaultValue = "9080")
    int routerPort;

    @Option(names = "--https-port", description = "Port of the router's HTTPS (and HTTP/2) listener, with certificates from "
            + "the local CA of the state directory: trust <state-dir>/local-ca.pem once in your browser or with curl --cacert "
            + "(default: ${DEFAULT-VALUE}; a free one if it is taken; -1: HTTP only).", defaultValue = "9443")
    int httpsPort;

    @Option(names = "--backend", description = "Compute backend (default: ${DEFAULT-VALUE}).", defaultValue = "local")
    String backend;

    @Option(names = "--local-port", description = "Also serve the service on a port of its own on 127.0.0.1, printed once "
            + "it runs, so http://127.0.0.1:<port>/ reaches it with no Host header (browsers, HttpClient, curl without -H).")
    boolean localPort;

    @Option(names = "--watch", description = "Redeploy the working tree whenever a file in it is saved, created or deleted "
            + "(not what .gitignore ignores, .git, node_modules, __pycache__, target, build or dist): the running revision "
            + "serves until the new one passes its health check, a failed build or health check keeps it and prints why, and "
            + "each cycle prints how long it took from the save to the new revision serving.")
    boolean watch;

    @Option(names = "--otlp-endpoint", paramLabel = "URL", description = "Trace the service's requests: the router makes one "
            + "OpenTelemetry span per request, passes traceparent and X-Amzn-Trace-Id to the app, and sends the spans to this "
            + "OTLP/HTTP traces endpoint (an OpenTelemetry collector, Jaeger: http://127.0.0.1:4318/v1/traces).")
    java.net.URI otlpEndpoint;

    @Option(names = "--console", arity = "0..1", paramLabel = "PORT", fallbackValue = "0", description = "Also serve the web "
            + "console for this service on 127.0.0.1:PORT (a free port without PORT), read-only unless --console-write; the "
            + "link printed signs you in (its key is made for this run and kept nowhere).")
    Integer consolePort;

    @Option(names = "--console-write", description = "With --console: let the console deploy, pause, resume and delete the "
            + "service too.")
    boolean consoleWrite;

    @picocli.CommandLine.Mixin
    BaseImageOption baseImages;

    @picocli.CommandLine.Mixin
    StateDirOption stateDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<Path> local = SourceFetcher.localPath(source);
        if (local.isPresent() && !Files.exists(local.get())) {
            err.println("slipway up: " + local.get() + " does not exist; give a directory or a Git URL");
            return 2;
        }
        if (watch && (local.isEmpty() || branch != null)) {
            err.println("slipway up: --watch redeploys a local directory as it is when its files change; give a directory, "
                    + "without --branch");
            return 2;
        }
        String serviceName = name != null ? name : defaultName(local.map(p -> p.getFileName().toString())
                .orElse(source.replaceAll("\\.git$", "").replaceAll(".*/", "")));
        String repoBranch = branch != null ? branch : defaultBranch(local);
        CodeConfiguration configuration;
        try {
            configuration = configuration(local);
        } catch (ConfigurationFileException e) {
            err.println("slipway up: " + e.getMessage());
            return 2;
        }
        String url = local.map(p -> p.toUri().toString()).orElse(source);
        int listenOn = routerPort;
        if (!spec.commandLine().getParseResult().hasMatchedOption("--router-port") && !free(listenOn)) {
            listenOn = 0;
            out.println("[slipway] Port " + routerPort + " is taken (another slipway up?); the router listens on a free port "
                    + "instead (choose one with --router-port)");
        }
        int httpsOn = httpsPort;
        if (httpsOn > 0 && !spec.commandLine().getParseResult().hasMatchedOption("--https-port") && !free(httpsOn)) {
            httpsOn = 0;
            out.println("[slipway] Port " + httpsPort + " is taken; HTTPS is served on a free port instead (choose one with --https-port)");
        }
        Slipway slipway;
        java.util.concurrent.atomic.AtomicReference<java.time.Instant> switched = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            SlipwayBuilder builder = baseImages.apply(Slipway.builder());
            if (httpsOn >= 0) {
                builder.httpsPort(httpsOn).certificateAuthority(LocalCertificateAuthority.open(stateDir.path));
            }
            if (otlpEndpoint != null) {
                builder.otlpEndpoint(otlpEndpoint);
            }
            slipway = builder.backend(backend).routerPort(listenOn).serviceIdSeed(url)
                    .stateDir(stateDir.up(serviceName))
                    .planOverrides(new PlanOverrides(env, Optional.ofNullable(port))).deployWorkingTrees(branch == null)
                    .logListener((service, stream, line) -> {
                        if (stream.startsWith("deployment/") && line.contains(DeploymentWatch.SWITCHED)) {
                            switched.set(java.time.Instant.now());
                        }
                        if (stream.startsWith("deployment/")) {
                            out.println(line);
                        } else if (stream.startsWith("instance/")) {
                            out.println("[" + stream.substring("instance/".length(), "instance/".length() + 6) + "] " + line);
                        } else {
                            out.println("[events] " + line);
                        }
                    }).build();
        } catch (IllegalStateException | IllegalArgumentException e) {
            err.println("slipway up: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<String> created = new java.util.concurrent.atomic.AtomicReference<>();
        AutoCloseable console;
        try {
            console = console(slipway, out);
        } catch (IllegalStateException e) {
            err.println("slipway up: " + e.getMessage());
            slipway.close();
            return 2;
        }
        Thread hook = new Thread(() -> {
            out.println("[slipway] stopping: draining requests and stopping every process started");
            closeQuietly(console);
            end(slipway, created.get(), serviceName);
            stopped.countDown();
        }, "slipway-shutdown");
        java.lang.Runtime.getRuntime().addShutdownHook(hook);
        try {
            CreateServiceRequest.Builder request = CreateServiceRequest.builder().serviceName(serviceName)
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(url, SourceCodeVersion.branch(repoBranch),
                            configuration, null)));
            if (otlpEndpoint != null) {
                String tracing = slipway.createObservabilityConfiguration(new dev.slipway.core.api.CreateObservabilityConfigurationRequest(
                        "up-tracing", new dev.slipway.core.model.TraceConfiguration(dev.slipway.core.model.TracingVendor.AWSXRAY), null))
                        .observabilityConfiguration().observabilityConfigurationArn();
                request.observabilityConfiguration(new dev.slipway.core.model.ServiceObservabilityConfiguration(true, tracing));
            }
            CreateServiceResponse service = slipway.createService(request.build());
            created.set(service.service().serviceArn());
            Operation op = service.operation();
            OperationSummary result = op.await(Duration.ofHours(1));
            if (result.status() != OperationStatus.SUCCEEDED) {
                err.println("slipway up: the service could not be created: " + inUpsTerms(op.failureReason().orElse("unknown reason")));
                return 1;
            }
            out.println();
            String host = service.service().serviceUrl().replaceAll(":\\d+$", "");
            out.println("Service " + serviceName + " is RUNNING at http://" + host + ":" + slipway.routerPort().orElseThrow() + "/");
            slipway.httpsPort().ifPresent(p -> out.println("  and at https://" + host + ":" + p + "/ (HTTP/2; trust "
                    + stateDir.path.resolve(LocalCertificateAuthority.ROOT_FILE) + ")"));
            if (localPort) {
                out.println("Also at http://127.0.0.1:" + slipway.directPort(service.service().serviceArn()) + "/ (its own port)");
            }
            out.println("Press Ctrl-C to stop it.");
            out.println();
            if (watch) {
                try (var watching = DeploymentWatch.start(slipway, service.service().serviceArn(), local.get(), switched, out)) {
                    stopped.await();
                }
                return 0;
            }
            stopped.await();
            return 0;
        } catch (SlipwayException e) {
            err.println("slipway up: " + inUpsTerms(e.getMessage()));
            return 2;
        } finally {
            if (stopped.getCount() > 0) {
                try {
                    java.lang.Runtime.getRuntime().removeShutdownHook(hook);
                    closeQuietly(console);
                    end(slipway, created.get(), serviceName);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is closing it
                }
            }
        }
    }

    /**
     * Ends a run: the service is deleted (its instances drained and stopped, its revisions' images and workspaces
     * removed, on every backend), then Slipway closes, and of the run's directory only the logs stay.
     */
    private void end(Slipway slipway, String serviceArn, String serviceName) {
        if (serviceArn != null) {
            try {
                slipway.deleteService(new dev.slipway.core.api.DeleteServiceRequest(serviceArn)).operation().await(Duration.ofMinutes(2));
            } catch (SlipwayException | java.util.concurrent.TimeoutException e) {
                // being deleted or gone already, or slow: close() stops what is left
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        slipway.close();
        keepOnlyLogs(stateDir.up(serviceName));
    }

    /** What a run left in its directory but the logs (`slipway logs` reads them after it ended): workspaces, sources. */
    private static void keepOnlyLogs(Path dir) {
        try (var entries = Files.list(dir)) {
            entries.filter(p -> !p.getFileName().toString().equals("logs")).forEach(SourceFetcher::deleteTree);
        } catch (java.io.IOException e) {
            // nothing to clean
        }
    }

    /** Whether nothing listens on 127.0.0.1:{@code port} yet. */
    private static boolean free(int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** A failure said in the API's terms, said in the options of {@code slipway up}. */
    static String inUpsTerms(String apiMessage) {
        return apiMessage.replace("check SourceCodeVersion.Value", "check --branch")
                .replace("(for a private repository, use an AVAILABLE connection)",
                        "(slipway up clones public repositories; for a private one, clone it and give its directory)")
                .replace("RepositoryUrl ", "").replace("at 'serviceName'", "of --name");
    }

    /** apprunner.yaml when the source has one (always for a Git URL); otherwise what core guesses from the files. */
    private CodeConfiguration configuration(Optional<Path> local) {
        if (local.isPresent() && !Files.isRegularFile(local.get().resolve(AppRunnerYaml.FILE_NAME))) {
            if (Files.exists(local.get().resolve("apprunner.yml"))) {
                spec.commandLine().getErr().println("[slipway] Found apprunner.yml, which App Runner does not read: rename it to "
                        + AppRunnerYaml.FILE_NAME + " to use it");
            }
            ConfigurationGuess guess = ConfigurationGuess.of(local.get());
            spec.commandLine().getOut().println("[slipway] No " + AppRunnerYaml.FILE_NAME + " in " + local.get() + "; "
                    + guess.describe() + ".\n[slipway] To change it, write these settings to " + AppRunnerYaml.FILE_NAME
                    + " with: slipway init " + local.get());
            return CodeConfiguration.fromApi(guess.values());
        }
        return CodeConfiguration.fromRepository();
    }

    private String defaultBranch(Optional<Path> local) {
        try {
            String remote = local.map(p -> p.toUri().toString()).orElse(source);
            if (local.isPresent() && !Files.isDirectory(local.get().resolve(".git")) && !Files.isRegularFile(local.get().resolve("HEAD"))) {
                return "main";
            }
            Ref head = Git.lsRemoteRepository().setRemote(remote).callAsMap().get("HEAD");
            if (head != null && head.isSymbolic()) {
                return head.getTarget().getName().replace("refs/heads/", "");
            }
        } catch (Exception e) {
            // fall back to the usual name; the clone reports a clear error if it is wrong
        }
        return "main";
    }

    static String defaultName(String base) {
        String n = base.replaceAll("[^A-Za-z0-9-_]", "-").replaceAll("^[-_]+", "");
        if (n.isEmpty()) {
            n = "service";
        }
        while (n.length() < 4) {
            n = n + "-app";
        }
        return n.length() > 40 ? n.substring(0, 40) : n;
    }

    /**
     * With {@code --console}: the API and the console on 127.0.0.1, for one principal whose key is made now and printed
     * in the sign-in link (after {@code #}, which the browser does not send: the console's page reads it and signs in).
     */
    private AutoCloseable console(Slipway slipway, PrintWriter out) {
        if (consolePort == null) {
            return () -> { };
        }
        dev.slipway.server.api.ApiCredentials developer = dev.slipway.server.api.ApiCredentials.random();
        dev.slipway.core.iam.Principal principal = dev.slipway.core.iam.Principal.user("developer",
                java.util.List.of(new dev.slipway.core.iam.Principal.AccessKey(developer.accessKeyId(), developer.secretAccessKey())),
                java.util.List.of(dev.slipway.core.iam.ManagedPolicies.named(consoleWrite ? dev.slipway.core.iam.ManagedPolicies.FULL
                        : dev.slipway.core.iam.ManagedPolicies.READ_ONLY).orElseThrow()));
        var keys = new dev.slipway.server.api.ApiKeys(dev.slipway.server.api.ApiCredentials.random(),
                () -> dev.slipway.core.iam.Principals.of(java.util.List.of(principal)));
        var api = dev.slipway.server.api.ApiServer.start(slipway, keys, "127.0.0.1", consolePort, dev.slipway.server.api.ApiThrottle.DEFAULT,
                gate -> new dev.slipway.server.console.Console(slipway, gate));
        out.println("[slipway] Console" + (consoleWrite ? "" : " (read-only; --console-write to deploy, pause, resume and delete)")
                + ": http://127.0.0.1:" + api.port() + "/console/sign-in#key=" + developer.accessKeyId() + "&secret="
                + java.net.URLEncoder.encode(developer.secretAccessKey(), java.nio.charset.StandardCharsets.UTF_8));
        out.flush();
        return api;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // stopping anyway
        }
    }
}
