package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidStateException;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.ImageRepository;
import dev.slipway.core.model.ServiceStatus;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.push.Webhook;
import dev.slipway.core.push.WebhookAnswer;
import dev.slipway.core.push.WebhookDelivery;
import dev.slipway.core.source.HostKeyPins;
import dev.slipway.core.source.Registries;
import dev.slipway.core.source.RegistryCredentials;
import dev.slipway.core.source.SourceFetcher;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.RegistryLogin;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Automatic deployments (AutoDeploymentsEnabled): learns of pushes from webhooks and by polling, and deploys each
 * service's newest pushed version once it can. A push is an input like an API call: it never touches instances, it
 * starts a START_DEPLOYMENT operation when the service is RUNNING, else it waits (pushes that come meanwhile replace
 * it: one next deployment, of the newest); a version already deployed does nothing; at most {@code perHour} automatic
 * deployments start per service in any hour (the rest wait for the window, never lost). All decisions run on one
 * thread; polls run on two others and never block it.
 */
public final class AutoDeployments implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AutoDeployments.class);
    private static final int REMEMBERED_DELIVERIES = 1000;
    private static final Duration WINDOW = Duration.ofHours(1);

    /** How automatic deployments run. {@code pollInterval} zero: no polling (webhooks only). */
    public record Settings(Duration pollInterval, int perHour, Map<String, String> backendSettings) {
        public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(60);
        public static final int DEFAULT_PER_HOUR = 30;
    }

    /** A version waiting to be deployed, and the line that says where it came from. */
    private record Pending(String version, String why) {
    }

    private final ControlState state;
    private final ServiceActions services;
    private final Settings settings;
    private final Clock clock;
    private final Path registryCredentials;
    private final Registries registries = new Registries();
    private final ScheduledExecutorService decider = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "slipway-auto-deploy"));
    private final ExecutorService pollers = Executors.newFixedThreadPool(2, r -> daemon(r, "slipway-poll"));
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Deque<Instant>> started = new ConcurrentHashMap<>();
    private final Map<String, Instant> nextPoll = new ConcurrentHashMap<>();
    private final Set<String> polling = ConcurrentHashMap.newKeySet();
    private final Map<String, String> pollFailures = new ConcurrentHashMap<>();
    private final Set<String> limited = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<String>> deliveries = new ConcurrentHashMap<>();
    /** The version each service's last automatic deployment was of: a poll does not try a failed one again. */
    private final Map<String, String> lastStarted = new ConcurrentHashMap<>();

    public AutoDeployments(ControlState state, ServiceActions services, Settings settings, Clock clock) {
        this.state = state;
        this.services = services;
        this.settings = settings;
        this.clock = clock;
        this.registryCredentials = services.runtime().sourcesDir().resolveSibling(RegistryCredentials.FILE_NAME);
        services.onOperationEnded(arn -> {
            if (pending.containsKey(arn)) {
                decider.execute(() -> tryStart(arn));
            }
        });
        if (!settings.pollInterval().isZero()) {
            long tick = Math.max(100, Math.min(1000, settings.pollInterval().toMillis() / 4));
            decider.scheduleWithFixedDelay(this::pollDue, tick, tick, TimeUnit.MILLISECONDS);
        }
    }

    // ---------------------------------------------------------------- webhooks

    /** The webhook of a service: its path and secret (made on the first call; a new one when {@code rotate}). */
    public Webhook webhook(String serviceArn, boolean rotate) {
        String secret = webhookSecret(serviceArn, rotate);
        return new Webhook("/webhooks/" + state.read(() -> state.service(serviceArn)).id(), secret);
    }

    /**
     * The secret the service's push webhooks are signed with: made (32 random bytes, URL-safe base64) on the first
     * call and kept with the service; a new one replaces it when {@code rotate}.
     */
    private String webhookSecret(String arn, boolean rotate) {
        ServiceRecord current = state.read(() -> state.service(arn));
        if (current.webhookSecret().isPresent() && !rotate) {
            return current.webhookSecret().get();
        }
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        String secret = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        return state.write(() -> {
            ServiceRecord s = state.service(arn);
            if (s.webhookSecret().isPresent() && !rotate) {
                return s.webhookSecret().get(); // made by a call at the same time
            }
            state.put(s.withWebhookSecret(secret));
            return secret;
        });
    }

    /** A call of {@code /webhooks/<serviceId>}: verified, read, and answered at once (a deployment is only scheduled). */
    public WebhookAnswer receive(String serviceId, WebhookDelivery delivery) {
        Optional<ServiceRecord> found = state.read(() -> state.allServices().stream().filter(s -> s.id().equals(serviceId)).findFirst());
        if (found.isEmpty()) {
            return new WebhookAnswer(404, "No service with id " + serviceId + "; 'slipway webhook show --service NAME' prints a service's webhook URL");
        }
        ServiceRecord s = found.get();
        WebhookPayloads.Verified call;
        try {
            call = WebhookPayloads.verify(delivery, s.webhookSecret());
        } catch (WebhookPayloads.Refused refused) {
            if (refused.status == 401) { // recorded: someone without the secret called
                services.note(s, "Webhook call refused (HTTP 401) from " + delivery.sourceAddress() + ": " + refused.getMessage());
            }
            return new WebhookAnswer(refused.status, refused.getMessage());
        }
        String provider = call.provider().title;
        if (call.deliveryId().isPresent() && !remember(s.arn(), call.deliveryId().get())) {
            return new WebhookAnswer(200, "Delivery " + call.deliveryId().get() + " was received before; ignored");
        }
        if (call.ping()) {
            return new WebhookAnswer(200, "pong: " + provider + " reaches Slipway, and the secret matches");
        }
        SourceConfiguration source = s.spec().source();
        if (!Boolean.TRUE.equals(source.autoDeploymentsEnabled())) {
            return new WebhookAnswer(202, "Ignored: service " + s.name() + " has AutoDeploymentsEnabled false");
        }
        String via = provider + " webhook" + call.deliveryId().map(id -> " (delivery " + id + ")").orElse("");
        if (call.provider() == WebhookPayloads.Provider.REGISTRY) {
            return imagePushed(s, call.imagePushes(), via);
        }
        if (call.gitPush().isEmpty()) {
            return new WebhookAnswer(202, "Ignored: a " + call.event() + " event, not a push");
        }
        return gitPushed(s, call.gitPush().get(), via);
    }

    private WebhookAnswer gitPushed(ServiceRecord s, WebhookPayloads.GitPush push, String via) {
        CodeRepository code = s.spec().source().codeRepository();
        if (code == null) {
            return new WebhookAnswer(202, "Ignored: service " + s.name() + " deploys an image, not a repository");
        }
        String wanted = WebhookPayloads.repositoryKey(code.repositoryUrl());
        if (push.repositoryUrls().stream().map(WebhookPayloads::repositoryKey).noneMatch(wanted::equals)) {
            return new WebhookAnswer(202, "Ignored: the push is to " + push.repositoryUrls().stream().findFirst().orElse("another repository")
                    + ", and service " + s.name() + " deploys " + code.repositoryUrl());
        }
        String branch = code.sourceCodeVersion().value();
        if (!push.branchRef().equals("refs/heads/" + branch)) {
            return new WebhookAnswer(202, "Ignored: the push is to " + push.branchRef() + ", and service " + s.name()
                    + " deploys branch " + branch);
        }
        if (push.commit().isEmpty()) {
            return new WebhookAnswer(202, "Ignored: branch " + branch + " was deleted; the running revision keeps serving");
        }
        return pushed(s.arn(), push.commit().get(), "Automatic deployment of commit " + push.commit().get()
                + " pushed to branch " + branch + " (learned from a " + via + ")");
    }

    private WebhookAnswer imagePushed(ServiceRecord s, List<WebhookPayloads.ImagePush> pushes, String via) {
        ImageRepository image = s.spec().source().imageRepository();
        if (image == null) {
            return new WebhookAnswer(202, "Ignored: service " + s.name() + " deploys a repository, not an image");
        }
        Registries.Ref wanted = Registries.Ref.parse(Registries.mapped(image.imageIdentifier(), settings.backendSettings()));
        Optional<WebhookPayloads.ImagePush> match = pushes.stream()
                .filter(p -> p.repository().equals(wanted.repository()) && p.tag().equals(wanted.reference())
                        && p.registryHosts().stream().anyMatch(h -> h.equalsIgnoreCase(wanted.registry())))
                .reduce((first, second) -> second); // the newest of the batch
        if (match.isEmpty()) {
            return new WebhookAnswer(202, "Ignored: no push of " + wanted.registry() + "/" + wanted.repository() + ":"
                    + wanted.reference() + " among the " + pushes.size() + " tagged push event(s)");
        }
        if (!match.get().eventId().isEmpty() && !remember(s.arn(), match.get().eventId())) {
            return new WebhookAnswer(200, "Event " + match.get().eventId() + " was received before; ignored");
        }
        return pushed(s.arn(), match.get().digest(), "Automatic deployment of " + image.imageIdentifier() + " at "
                + match.get().digest() + " (learned from a " + via + ")");
    }

    /** Whether {@code id} is new for the service (and now remembered), among its last deliveries. */
    private boolean remember(String arn, String id) {
        Set<String> seen = deliveries.computeIfAbsent(arn, a -> Collections.synchronizedSet(Collections.newSetFromMap(
                new LinkedHashMap<>() {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                        return size() > REMEMBERED_DELIVERIES;
                    }
                })));
        return seen.add(id);
    }

    // ---------------------------------------------------------------- the decision

    /** A push of {@code version} (a commit, a digest): deployed when the service can, unless it is deployed already. */
    WebhookAnswer pushed(String arn, String version, String why) {
        pending.put(arn, new Pending(version, why));
        decider.execute(() -> tryStart(arn));
        return new WebhookAnswer(202, "Accepted: " + why.substring(0, 1).toLowerCase(java.util.Locale.ROOT) + why.substring(1)
                + " is scheduled (or is running already)");
    }

    private void tryStart(String arn) {
        Pending p = pending.get(arn);
        if (p == null) {
            return;
        }
        Optional<ServiceRecord> found = state.read(() -> state.find(arn));
        if (found.isEmpty()) {
            forget(Set.of(arn));
            return;
        }
        if (!Boolean.TRUE.equals(found.get().spec().source().autoDeploymentsEnabled())) {
            pending.remove(arn, p);
            return;
        }
        ServiceRecord s = found.get();
        if (deployed(s).filter(p.version()::equals).isPresent()) {
            pending.remove(arn, p);
            LOG.debug("service {}: {} is deployed already", s.name(), p.version());
            return;
        }
        if (s.status() != ServiceStatus.RUNNING || s.maintenance()) {
            return; // the end of the operation in progress (or a resume) tries again
        }
        Deque<Instant> starts = started.computeIfAbsent(arn, a -> new ArrayDeque<>());
        Instant now = clock.instant();
        while (!starts.isEmpty() && starts.peekFirst().isBefore(now.minus(WINDOW))) {
            starts.removeFirst();
        }
        if (starts.size() >= settings.perHour()) {
            Instant next = starts.peekFirst().plus(WINDOW);
            if (limited.add(arn)) {
                services.note(s, "Automatic deployments are rate limited: " + starts.size() + " started in the last hour (the "
                        + "limit); the newest push (" + p.version() + ") deploys at " + next);
            }
            decider.schedule(() -> tryStart(arn), Duration.between(now, next).toMillis() + 10, TimeUnit.MILLISECONDS);
            return;
        }
        try {
            OperationRecord op = services.startAutomaticDeployment(arn, p.version(), p.why());
            pending.remove(arn, p);
            limited.remove(arn);
            starts.addLast(now);
            lastStarted.put(arn, p.version());
            services.note(s, p.why() + ": operation " + op.id());
        } catch (InvalidStateException e) {
            LOG.debug("service {}: {} waits for the operation in progress", s.name(), p.version()); // its end tries again
        } catch (RuntimeException e) {
            pending.remove(arn, p);
            services.note(s, "Could not start the automatic deployment of " + p.version() + ": " + e.getMessage());
        }
    }

    /** Drops what was kept for services that are gone. */
    private void forget(Set<String> arns) {
        for (Map<String, ?> kept : List.of(pending, started, nextPoll, pollFailures, deliveries, lastStarted)) {
            kept.keySet().removeAll(arns);
        }
        limited.removeAll(arns);
    }

    /** The commit or image digest the service serves, if known. */
    static Optional<String> deployed(ServiceRecord s) {
        return s.revision().flatMap(r -> Optional.ofNullable(r.attributes().get(PreparedRevision.COMMIT))
                .or(() -> Optional.ofNullable(r.attributes().get(PreparedRevision.DIGEST))
                        .filter(d -> d.contains("@")).map(d -> d.substring(d.indexOf('@') + 1))));
    }

    // ---------------------------------------------------------------- polling

    /** Starts a poll of each automatically deployed service whose time has come (each on its own jittered schedule). */
    private void pollDue() {
        Instant now = clock.instant();
        List<ServiceRecord> due = state.read(() -> state.allServices().stream()
                .filter(s -> s.status() == ServiceStatus.RUNNING && Boolean.TRUE.equals(s.spec().source().autoDeploymentsEnabled()))
                .toList());
        nextPoll.keySet().retainAll(due.stream().map(ServiceRecord::arn).collect(java.util.stream.Collectors.toSet()));
        Set<String> gone = new java.util.HashSet<>(started.keySet());
        gone.addAll(deliveries.keySet());
        gone.removeIf(arn -> state.read(() -> state.find(arn)).isPresent());
        forget(gone);
        for (ServiceRecord s : due) {
            // the first poll of a service comes at a random point of the first interval: polls spread out
            Instant next = nextPoll.computeIfAbsent(s.arn(), a -> now.plusMillis(jittered(settings.pollInterval().toMillis()) / 2));
            if (!next.isAfter(now) && polling.add(s.arn())) {
                nextPoll.put(s.arn(), now.plusMillis(jittered(settings.pollInterval().toMillis())));
                pollers.execute(() -> {
                    try {
                        poll(s);
                    } finally {
                        polling.remove(s.arn());
                    }
                });
            }
        }
    }

    /** The interval, give or take 20 %. */
    private static long jittered(long millis) {
        return (long) (millis * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    }

    private void poll(ServiceRecord s) {
        try {
            Optional<String> seen;
            String why;
            CodeRepository code = s.spec().source().codeRepository();
            if (code != null) {
                var access = state.read(() -> state.connections().usedBy(s.spec().source()));
                Path ssh = services.runtime().sourcesDir().resolve(s.id()).resolve("poll-ssh");
                seen = new SourceFetcher(false, SourceFetcher.DEFAULT_IDLE_TIMEOUT).head(code,
                        access.flatMap(Connections.Stored::credential), access.map(c -> new HostKeyPins(c.hostKeys().snapshot()))
                                .orElse(new HostKeyPins(Map.of())), ssh, line -> { });
                why = "Automatic deployment of commit " + seen.orElse("") + ", the head of branch "
                        + code.sourceCodeVersion().value() + " (found by polling " + code.repositoryUrl() + ")";
            } else {
                ImageRepository image = s.spec().source().imageRepository();
                var auth = s.spec().source().authenticationConfiguration();
                Optional<RegistryLogin> login = auth != null && auth.accessRoleArn() != null
                        ? Optional.of(RegistryCredentials.forRole(registryCredentials, auth.accessRoleArn())) : Optional.empty();
                seen = Optional.of(registries.digest(Registries.mapped(image.imageIdentifier(), settings.backendSettings()), login));
                why = "Automatic deployment of " + image.imageIdentifier() + " at " + seen.get() + " (found by polling its registry)";
            }
            if (pollFailures.remove(s.arn()) != null) {
                services.note(s, "Polling for pushes works again");
            }
            // a version deployed, waiting, or whose deployment failed (the next push, or StartDeployment, goes on)
            if (seen.isPresent() && deployed(s).filter(seen.get()::equals).isEmpty()
                    && !Optional.ofNullable(pending.get(s.arn())).map(Pending::version).equals(seen)
                    && !seen.get().equals(lastStarted.get(s.arn()))) {
                pushed(s.arn(), seen.get(), why);
            }
        } catch (BuildFailedException | IOException | RuntimeException e) {
            String message = e.getMessage();
            if (!message.equals(pollFailures.put(s.arn(), message))) { // said once, not at every poll
                services.note(s, "Polling for pushes failed: " + message + " (tried again every "
                        + settings.pollInterval().toSeconds() + " s)");
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        decider.shutdownNow();
        pollers.shutdownNow();
    }
}
