package dev.slipway.server;

import dev.slipway.core.Slipway;
import dev.slipway.core.SlipwayBuilder;
import dev.slipway.tls.LocalCertificateAuthority;
import dev.slipway.tls.AcmeCertificateAuthority;
import dev.slipway.tls.AcmeDnsZone;
import com.google.common.net.HostAndPort;
import java.net.URI;
import java.util.Optional;
import dev.slipway.core.source.SourceUrlPolicy;
import dev.slipway.core.DataPlane;
import dev.slipway.core.crypto.KeyRing;
import dev.slipway.core.store.SealedStateStore;
import dev.slipway.core.spi.RouterLimits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.slipway.core.routing.Admission;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.slipway.core.Timeouts;
import dev.slipway.server.api.ApiCredentials;
import dev.slipway.server.api.ApiServer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.slipway.core.events.EventRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import dev.slipway.core.Quotas;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slipway server}: the App Runner-compatible control plane that the AWS CLI and SDKs drive. */
@Command(name = "server", mixinStandardHelpOptions = true,
        header = "Run the App Runner-compatible control plane that the AWS CLI and SDKs drive.",
        description = {"Run Slipway as a control plane that speaks the App Runner API (AWS JSON 1.0, Signature V4). Point "
                + "the AWS CLI or an SDK at it with --endpoint-url.",
                "",
                "Credentials: SLIPWAY_ACCESS_KEY_ID and SLIPWAY_SECRET_ACCESS_KEY if set; otherwise a key pair is "
                        + "generated at first start into <state-dir>/credentials (profile 'slipway', mode 0600).",
                "",
                "Example:",
                "  slipway server --api-port 8484 --router-port 9080 --state-dir ~/.slipway --allow-source-dir ~/src",
                "  export AWS_SHARED_CREDENTIALS_FILE=~/.slipway/credentials AWS_PROFILE=slipway",
                "  aws apprunner list-services --endpoint-url http://127.0.0.1:8484 --region us-east-1",
                "",
                "On Kubernetes (pods on the cluster your kubeconfig names; docs/kubernetes.md):",
                "  slipway server --backend kubernetes --namespace apps --registry registry.example.com/slipway"})
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--api-port", description = "Port of the App Runner API (default: ${DEFAULT-VALUE}).", defaultValue = "8484")
    int apiPort;

    @Option(names = "--router-port", description = "Port of the router that serves the services (default: ${DEFAULT-VALUE}).", defaultValue = "9080")
    int routerPort;

    @Option(names = "--bind", description = "Address the API and the router listen on (default: ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1")
    String bind;

    @Mixin
    StateDirOption stateDir;

    @Option(names = "--backend", description = "Compute backend: local (processes on this machine), docker (containers) or "
            + "kubernetes (pods on a cluster; see --namespace, --registry) (default: ${DEFAULT-VALUE}).", defaultValue = "local")
    String backend;

    @Option(names = "--base-domain", paramLabel = "DOMAIN", description = "Services are served at <name>-<id>.DOMAIN on "
            + "the router (point a wildcard DNS record at it) (default: ${DEFAULT-VALUE}).", defaultValue = "localhost")
    String baseDomain;

    @Option(names = "--region", description = "Region in ARNs; clients must sign for it (default: ${DEFAULT-VALUE}).", defaultValue = "us-east-1")
    String region;

    @Option(names = "--allow-source-dir", paramLabel = "DIR", description = "A local directory (with what is under it) that a "
            + "RepositoryUrl (file:// or a path) may name; repeatable. Without it, services come from Git URLs only.")
    List<Path> allowedSourceDirs = new ArrayList<>();

    @Option(names = "--source-url-policy", paramLabel = "POLICY", description = "Which hosts a RepositoryUrl may name: "
            + "no-local refuses loopback, link-local and wildcard addresses and this machine's own (names are resolved when "
            + "the service is created and again at each fetch), so an API caller cannot make the server fetch from what only "
            + "it can reach; any allows every host (default: ${DEFAULT-VALUE}).", defaultValue = "no-local")
    String sourceUrlPolicy;

    @Option(names = "--step-timeout", paramLabel = "SECONDS", description = "How long one step of an operation (fetch, "
            + "build, start ...) may take before the operation fails (default: ${DEFAULT-VALUE}).", defaultValue = "1800")
    long stepTimeoutSeconds;

    @Option(names = "--run-as", paramLabel = "USER", description = "The account the local backend runs builds and apps as. "
            + "Default when the server runs as root: slipway-app (created if missing), so that API keys do not run code "
            + "as root; --run-as root keeps root.")
    String runAs;

    @Mixin
    BaseImageOption baseImages;

    @Mixin
    KubernetesOptions kubernetes;

    @Mixin
    NetworkOptions network = new NetworkOptions();

    @Option(names = "--https-port", paramLabel = "PORT", description = "Also serve HTTPS on PORT (0: a free one) of the "
            + "--bind address: each service's domain and each custom domain with a certificate of its own, chosen by the name "
            + "the client asks for (SNI); service URLs are then HTTPS addresses. Certificates come from the local CA of the "
            + "state directory (its root in <state-dir>/local-ca.pem, for browsers and curl --cacert to trust), or, for custom "
            + "domains, from --acme-directory. Without it: HTTP only.")
    Integer httpsPort;

    @Option(names = "--acme-directory", paramLabel = "URL", description = "The ACME directory custom domains get their "
            + "certificates from, e.g. https://acme-v02.api.letsencrypt.org/directory (needs --https-port). Names are "
            + "validated by DNS-01 with --acme-dns-zone, else by HTTP-01, which the router answers on port 80 (the router "
            + "must be reachable there). Without it, the local CA issues at once.")
    URI acmeDirectory;

    @Option(names = "--acme-email", paramLabel = "EMAIL", description = "The contact of the ACME account (expiry notices).")
    String acmeEmail;

    @Option(names = "--acme-ca-bundle", paramLabel = "FILE", description = "PEM certificates to trust for the ACME "
            + "directory's HTTPS (an internal ACME server, such as step-ca); default: the JDK's.")
    Path acmeCaBundle;

    @Option(names = "--acme-dns-zone", paramLabel = "ZONE", description = "A DNS zone Slipway answers itself for DNS-01 "
            + "validation (delegate it to this host with an NS record, e.g. acme.example.org): custom domains' validation "
            + "records are then CNAMEs from _acme-challenge.<domain> into it, created once, and wildcards work.")
    String acmeDnsZone;

    @Option(names = "--acme-dns-bind", paramLabel = "HOST:PORT", description = "Where the --acme-dns-zone answers DNS "
            + "over UDP (default: ${DEFAULT-VALUE}).", defaultValue = "0.0.0.0:53")
    String acmeDnsBind;

    @Option(names = "--acme-dns-resolver", paramLabel = "HOST:PORT", description = "The DNS resolver Slipway looks the "
            + "validation records up with before it asks the ACME server to validate (so a record not created yet costs no "
            + "failed validation); default: this machine's.")
    String acmeDnsResolver;

    @Option(names = "--keep-instances", description = "On Ctrl-C or SIGTERM, drain the router and exit, but leave every "
            + "instance running for the next start on this state directory to take back and serve at once (a restart or an "
            + "upgrade of the server without restarting the services). Without it, a stop stops every instance.")
    boolean keepInstances;

    @Mixin
    ExtensionOptions extensions;

    @Option(names = "--no-console", description = "Do not serve the web console at /console on the API port.")
    boolean noConsole;

    @Option(names = "--no-metrics", description = "Do not serve GET /metrics (the per-service meters in Prometheus text) on the API port.")
    boolean noMetrics;

    @Option(names = "--queue-limit", paramLabel = "N", description = "Requests that may wait per service while every instance "
            + "serves MaxConcurrency requests; more are answered 503 with Retry-After (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    int queueLimit;

    @Option(names = "--queue-timeout", paramLabel = "SECONDS", description = "How long a request waits for an instance before it "
            + "is answered 503 with Retry-After (default: ${DEFAULT-VALUE}).", defaultValue = "15")
    double queueTimeoutSeconds;

    @Option(names = "--max-connections", paramLabel = "N", description = "Client connections the router keeps open at once; "
            + "more are answered 503 with Retry-After and closed (default: half the file descriptors the process may open, "
            + "at most 100000; nginx: worker_connections).")
    Integer maxConnections;

    @Option(names = "--max-connections-per-client", paramLabel = "N", description = "Client connections the router keeps "
            + "open at once from one address; raise it when a proxy or load balancer in front sends everything from one "
            + "address (default: ${DEFAULT-VALUE}; nginx: limit_conn).", defaultValue = "1024")
    int maxConnectionsPerClient;

    @Option(names = "--poll-interval", paramLabel = "SECONDS", description = "How often the branch (git ls-remote) or image "
            + "tag (the registry's API) of each service with AutoDeploymentsEnabled is checked for a new commit or digest, "
            + "give or take 20 %%, for Git hosts and registries that cannot call the webhook ('slipway webhook show'); 0: "
            + "never (default: ${DEFAULT-VALUE}).", defaultValue = "60")
    int pollIntervalSeconds;

    @Option(names = "--auto-deployments-per-hour", paramLabel = "N", description = "At most N automatic deployments start "
            + "per service in any hour; pushes beyond wait, coalesced into one deployment of the newest (default: ${DEFAULT-VALUE}).",
            defaultValue = "30")
    int autoDeploymentsPerHour;

    @Option(names = "--principals", paramLabel = "FILE", description = "Principals who may call the API, each with access keys "
            + "and IAM policies (JSON: {\"principals\": [{\"name\", \"type\": \"user\"|\"role\", \"tags\", "
            + "\"accessKeys\": [{\"accessKeyId\", \"secretAccessKey\"}], \"managedPolicies\": [\"AWSAppRunnerReadOnlyAccess\"], "
            + "\"policies\": [<IAM policy>]}]}); read again when it changes. The server's own key pair stays the "
            + "administrator. See docs/user-guide.md, \"Who may do what\".")
    Path principals;

    @Mixin
    MasterKeyOption masterKey;

    @Option(names = "--api-rate", paramLabel = "N", description = "Calls of the API each access key may make per second, in "
            + "bursts of up to twice as many; past it a call is answered ThrottlingException (the AWS CLI and SDKs retry "
            + "those with backoff) and recorded in the audit trail; 0: no limit (default: ${DEFAULT-VALUE}).", defaultValue = "50")
    double apiRate;

    /** What sealed secret access keys of the principals file are sealed for (the derived key's purpose and the context). */
    static final String PRINCIPAL_SECRET = "secretAccessKey";

    @Option(names = "--instance-credentials-url", paramLabel = "URL", description = "Where instances reach this server's API for "
            + "their instance role's credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI is URL/slipway/credentials): for pods "
            + "that are not on the host's network, e.g. https://slipway.example.com, TLS in front of the API port (the AWS SDKs take https, or http to "
            + "a loopback address only). Default: http://127.0.0.1:<api-port>.")
    URI instanceCredentialsUrl;

    @Option(names = "--otlp-endpoint", paramLabel = "URL", description = "Where the router sends the spans of services whose "
            + "observability configuration turns tracing on (TraceConfiguration Vendor=AWSXRAY): an OpenTelemetry collector's "
            + "OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces. Without it, traced services still get "
            + "traceparent and X-Amzn-Trace-Id headers, and the spans are dropped.")
    URI otlpEndpoint;

    @Option(names = "--event-rules", paramLabel = "FILE", description = "Event rules: events matching each rule's EventBridge "
            + "pattern are POSTed to its endpoint as signed CloudEvents, at least once and in order per service (JSON: "
            + "{\"rules\": [{\"name\", \"eventPattern\", \"endpoint\", \"secret\", \"retryPolicy\": "
            + "{\"maximumEventAgeInSeconds\", \"maximumRetryAttempts\"}}]}; see docs/user-guide.md, \"Event rules\").")
    Path eventRules;

    @Option(names = "--quota", paramLabel = "NAME=N", description = "Sets a resource quota of the guide's table, e.g. "
            + "--quota services=1000 (repeatable). Names: services, connections, auto-scaling-configuration-names, "
            + "auto-scaling-configuration-revisions, vpc-connectors; each is 10 by default, as App Runner's.")
    java.util.Map<String, Integer> quotas = new java.util.LinkedHashMap<>();

    @Spec
    CommandSpec spec;

    /** The local CA of the state directory, or an ACME directory with the local CA for services' own domains. */
    private dev.slipway.core.spi.CertificateAuthority certificateAuthority() {
        LocalCertificateAuthority local = LocalCertificateAuthority.open(stateDir.path);
        if (acmeDirectory == null) {
            return local;
        }
        Optional<AcmeDnsZone> zone = Optional.ofNullable(acmeDnsZone).map(z -> {
            HostAndPort at = HostAndPort.fromString(acmeDnsBind).withDefaultPort(53);
            dnsZone = AcmeDnsZone.start(z, at.getHost(), at.getPort());
            return dnsZone;
        });
        return new AcmeCertificateAuthority(acmeDirectory, stateDir.path, Optional.ofNullable(acmeEmail), Optional.ofNullable(acmeCaBundle),
                zone, Optional.ofNullable(acmeDnsResolver), Optional.of(local));
    }

    private AcmeDnsZone dnsZone;
    private dev.slipway.server.api.PrincipalsFile principalsFile;
    private dev.slipway.server.api.InstanceRoles instanceRoles;
    /** The API's port, once known (--api-port, or the one bound for 0): where instance roles get their credentials. */
    private final java.util.concurrent.atomic.AtomicInteger boundApiPort = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ApiCredentials credentials = ApiCredentials.load(System.getenv(), stateDir.path);
        Slipway slipway;
        ApiServer api;
        AutoCloseable lead;
        try {
            SlipwayBuilder builder = kubernetes.apply(baseImages.apply(Slipway.builder()));
            MeterRegistry meters = noMetrics ? new SimpleMeterRegistry() : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            RouterLimits limits = new RouterLimits(maxConnections != null ? maxConnections : RouterLimits.DEFAULT.maxConnections(),
                    maxConnectionsPerClient);
            Admission admission = new Admission(queueLimit, Duration.ofMillis((long) (queueTimeoutSeconds * 1000)));
            if (httpsPort == null && (acmeDirectory != null || acmeDnsZone != null)) {
                err.println("slipway server: --acme-directory and --acme-dns-zone need --https-port");
                return 2;
            }
            // in the cluster, the keysets of the state's secrets are in the state too, under the master key every replica is given
            KeyRing keys = kubernetes.stateInCluster() ? masterKey.openShared() : masterKey.open(stateDir.path);
            if (principals != null) {
                try { // secret access keys may be sealed with the state's key (slipway keys seal)
                    principalsFile = dev.slipway.server.api.PrincipalsFile.watch(principals,
                            sealed -> KeyRing.unseal(keys.derivedAead(PRINCIPAL_SECRET), sealed, PRINCIPAL_SECRET));
                } catch (dev.slipway.core.InvalidRequestException e) {
                    err.println("slipway server: --principals " + principals + ": " + e.getMessage());
                    return 2;
                }
                out.println("[slipway] " + principalsFile.get().all().size() + " principal(s) from " + principals
                        + " (read again when it changes)");
            }
            if (eventRules != null) {
                List<EventRule> rules;
                try {
                    rules = EventRule.listFromJson(Files.readString(eventRules));
                } catch (java.io.IOException | dev.slipway.core.InvalidRequestException e) {
                    err.println("slipway server: --event-rules " + eventRules + ": "
                            + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
                    return 2;
                }
                rules.forEach(builder::eventRule);
                out.println("[slipway] " + rules.size() + " event rule(s) from " + eventRules + ": "
                        + String.join(", ", rules.stream().map(EventRule::name).toList()));
            }
            dev.slipway.core.spi.RouterTracing tracing = otlpEndpoint == null ? dev.slipway.core.spi.RouterTracing.NONE
                    : dev.slipway.core.spi.RouterTracing.otlp(otlpEndpoint);
            if (otlpEndpoint != null) {
                builder.otlpEndpoint(otlpEndpoint);
            }
            dev.slipway.core.spi.CertificateAuthority authority = httpsPort != null ? certificateAuthority() : null;
            // on Kubernetes, the router serves (HTTPS too, with the certificates the leader saved) while this replica waits to lead
            lead = kubernetes.useStateStore(builder, store -> {
                DataPlane plane = DataPlane.start(bind, routerPort, extensions.routerTimeouts(), limits, admission, meters, tracing);
                if (authority != null) {
                    plane.serveHttps(httpsPort, new SealedStateStore(store, masterKey.openShared()), Optional.of(authority), baseDomain);
                }
                network.openOn(plane); // a follower's router serves the leader's VPC ingress connections too
                return plane;
            }, out, err);
            extensions.apply(builder.meterRegistry(meters));
            String appUser = runAs != null ? runAs : "root".equals(System.getProperty("user.name")) ? "slipway-app" : null;
            if (appUser != null && backend.equals("local")) {
                builder.backendSetting("local.run-as", appUser);
            }
            Quotas q = Quotas.DEFAULT;
            for (var e : quotas.entrySet()) {
                q = q.with(e.getKey(), e.getValue());
            }
            if (authority != null) {
                builder.httpsPort(httpsPort).certificateAuthority(authority);
            }
            network.apply(builder);
            builder.keyRing(keys);
            boundApiPort.set(apiPort);
            var credentialsEndpoint = dev.slipway.server.api.InstanceRoles.endpoint(
                    Optional.ofNullable(instanceCredentialsUrl).map(URI::toString), boundApiPort::get);
            // replicas sharing the state in the cluster must agree on the tokens' key: derived from the master key they share
            instanceRoles = kubernetes.stateInCluster()
                    ? dev.slipway.server.api.InstanceRoles.withKey(keys.derivedKey("instance roles"), credentialsEndpoint, region)
                    : dev.slipway.server.api.InstanceRoles.open(stateDir.path, credentialsEndpoint, region);
            builder.instanceCredentials(instanceRoles);
            slipway = builder.quotas(q).backend(backend).stateDir(stateDir.path).durableState(true).routerHost(bind)
                    .routerPort(routerPort).baseDomain(baseDomain).region(region).allowedSourceDirectories(allowedSourceDirs)
                    .sourceUrlPolicy(SourceUrlPolicy.parse(sourceUrlPolicy)).routerLimits(limits)
                    .timeouts(Timeouts.DEFAULT.withStep(Duration.ofSeconds(stepTimeoutSeconds))).admission(admission)
                    .pollInterval(Duration.ofSeconds(pollIntervalSeconds)).autoDeploymentsPerHour(autoDeploymentsPerHour).build();
        } catch (IllegalStateException | IllegalArgumentException e) {
            err.println("slipway server: " + e.getMessage());
            return 2;
        }
        try {
            dev.slipway.server.api.ApiKeys keys = new dev.slipway.server.api.ApiKeys(credentials, principalsFile != null
                    ? principalsFile : () -> dev.slipway.core.iam.Principals.of(List.of()), Optional.of(instanceRoles));
            Slipway served = slipway;
            api = ApiServer.start(slipway, keys, bind, apiPort, new dev.slipway.server.api.ApiThrottle(apiRate, 2 * apiRate),
                    gate -> noConsole ? null : new dev.slipway.server.console.Console(served, gate));
            boundApiPort.set(api.port());
        } catch (IllegalStateException | IllegalArgumentException e) {
            slipway.close();
            lead.close();
            err.println("slipway server: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            api.close();
            if (kubernetes.stateInCluster() || keepInstances) {
                out.println(kubernetes.stateInCluster() ? "[slipway] handing over: draining requests; instances keep running for the next leader"
                        : "[slipway] stopping: draining requests; instances keep running for the next start on " + stateDir.path);
                slipway.handOver();
            } else {
                out.println("[slipway] stopping: draining requests and stopping every process started");
                slipway.close();
            }
            try {
                lead.close();
            } catch (Exception e) {
                // the Lease expires by itself
            }
            stopped.countDown();
        }, "slipway-shutdown"));
        String endpoint = "http://" + bind + ":" + api.port();
        if (dnsZone != null) {
            out.println("ACME validation zone " + dnsZone.zone() + " answered on " + acmeDnsBind.replaceAll(":\\d+$", "") + ":"
                    + dnsZone.port() + " (udp); delegate it here with an NS record");
        }
        out.println("Slipway API listening on " + endpoint + " (region " + region + "); router on " + bind + ":"
                + slipway.routerPort().orElseThrow() + slipway.httpsPort().map(p -> "; HTTPS on " + bind + ":" + p + " (trust "
                + stateDir.path.resolve(LocalCertificateAuthority.ROOT_FILE) + ")").orElse(""));
        network.describe(slipway, out);
        credentials.file().ifPresentOrElse(
                f -> out.println("Credentials: " + f + " (profile " + ApiCredentials.PROFILE + ")\n"
                        + "  export AWS_SHARED_CREDENTIALS_FILE=" + f + " AWS_PROFILE=" + ApiCredentials.PROFILE),
                () -> out.println("Credentials: access key " + credentials.accessKeyId() + " from SLIPWAY_ACCESS_KEY_ID"));
        out.println("  aws apprunner list-services --endpoint-url " + endpoint + " --region " + region);
        if (!noConsole) {
            out.println("Console: " + endpoint + "/console (sign in with an access key)");
        }
        out.flush();
        stopped.await();
        return 0;
    }
}
