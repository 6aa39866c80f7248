package dev.slipway.junit5;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.DeleteServiceRequest;
import dev.slipway.core.api.PauseServiceRequest;
import dev.slipway.core.api.ResumeServiceRequest;
import dev.slipway.core.api.StartDeploymentRequest;
import dev.slipway.core.api.UpdateServiceRequest;
import dev.slipway.core.build.PlanOverrides;
import dev.slipway.core.observe.LogStreams;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/** A service a test deployed: where to call it, its logs, and what a test may do to it. */
public final class RunningService {
    static final Duration OPERATION_TIMEOUT = Duration.ofMinutes(5);

    private final Slipway slipway;
    private final String arn;
    private final String name;
    private final String serviceUrl;
    private final int port;
    private final ServiceDefinition definition;
    private final Map<String, String> env;

    RunningService(Slipway slipway, String arn, String name, String serviceUrl, int port, ServiceDefinition definition) {
        this.slipway = slipway;
        this.arn = arn;
        this.name = name;
        this.serviceUrl = serviceUrl;
        this.port = port;
        this.definition = definition;
        this.env = new LinkedHashMap<>(definition.env());
    }

    /** {@code http://127.0.0.1:<port>/}: the service's own port, which HttpClient, RestAssured, OkHttp and browsers call as they are. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** {@link #uri()} resolved against {@code path} ({@code "/health"}, {@code "orders?id=1"}). */
    public URI uri(String path) {
        return uri().resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /** The App Runner-style URL, {@code http://<name>-<id>.localhost:<router-port>/}, routed by its Host header. */
    public String serviceUrl() {
        return "http://" + serviceUrl + "/";
    }

    public String arn() {
        return arn;
    }

    public String name() {
        return name;
    }

    /** Every line so far of its log streams: events, each deployment's log, each instance's output, in that order. */
    public List<String> logs() {
        LogStreams streams = new LogStreams(slipway.stateDir().resolve("logs"));
        List<String> lines = new ArrayList<>();
        for (String stream : streams.streams(name)) {
            lines.addAll(slipway.logLines(name, stream));
        }
        return lines;
    }

    /** Deploys the source again (StartDeployment: a source directory's current files) and waits until it serves. */
    public void redeploy() {
        await(slipway.startDeployment(new StartDeploymentRequest(arn)).operation());
    }

    /** Adds (or replaces) these run environment variables and deploys it with them; waits until it serves. */
    public synchronized void updateEnv(Map<String, String> variables) {
        env.putAll(variables);
        if (definition.image() != null) { // an image service: UpdateService with the new ImageConfiguration
            await(slipway.updateService(new UpdateServiceRequest(arn, definition.image().configuration(env), null, null, null,
                    null, null)).operation());
        } else {
            slipway.overridePlan(name, new PlanOverrides(env, Optional.empty()));
            redeploy();
        }
    }

    /** Pauses it (its instances stop; requests get 503) and waits until it is PAUSED. */
    public void pause() {
        await(slipway.pauseService(new PauseServiceRequest(arn)).operation());
    }

    /** Resumes it and waits until it serves again. */
    public void resume() {
        await(slipway.resumeService(new ResumeServiceRequest(arn)).operation());
    }

    void delete() {
        await(slipway.deleteService(new DeleteServiceRequest(arn)).operation());
    }

    private static void await(dev.slipway.core.Operation operation) {
        try {
            operation.awaitSuccess(OPERATION_TIMEOUT);
        } catch (TimeoutException e) {
            throw new IllegalStateException(operation.type() + " did not end within " + OPERATION_TIMEOUT.toMinutes() + " min", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + operation.type(), e);
        }
    }

    @Override
    public String toString() {
        return name + " at " + uri() + " (" + serviceUrl() + ")";
    }
}
