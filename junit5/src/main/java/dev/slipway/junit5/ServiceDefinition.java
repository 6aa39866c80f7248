package dev.slipway.junit5;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.build.PlanOverrides;
import dev.slipway.core.model.ImageConfiguration;
import dev.slipway.core.model.ImageRepository;
import dev.slipway.core.model.ImageRepositoryType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What to deploy for a test, from an annotation or the programmatic extension. */
record ServiceDefinition(String source, String branch, Image image, String name, Map<String, String> env, String backend,
                         Wait readiness) {
    /** An image to run instead of source to build (on a container backend): its port and, if set, its start command. */
    record Image(String identifier, String port, String startCommand) {
        SourceConfiguration configuration(Map<String, String> env) {
            return new SourceConfiguration(null, new ImageRepository(identifier, new ImageConfiguration(Map.copyOf(env), null,
                    startCommand.isEmpty() ? null : startCommand, port), ImageRepositoryType.ECR_PUBLIC), false, null);
        }
    }

    /** {@code NAME=value} strings as a map, refusing others with a message that names the annotation's field. */
    static Map<String, String> env(String[] pairs, String where) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(where + ": env entries are NAME=value, not '" + pair + "'");
            }
            env.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return env;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ServiceDefinition.class);

    /** Creates the service on the shared engine of its backend, waits until it serves and {@link #readiness} is satisfied. */
    RunningService deploy(Slipway slipway) {
        long started = System.nanoTime();
        boolean git = source.contains("://") || source.startsWith("git@") || source.endsWith(".git");
        SourceConfiguration configuration = image != null ? image.configuration(env) : git ? SourceConfiguration.git(source, branch)
                : SourceConfiguration.git(Path.of(source).toAbsolutePath().normalize().toString(), branch);
        String serviceName = uniqueName();
        if (image == null) { // an image's env is in its ImageConfiguration
            slipway.overridePlan(serviceName, new PlanOverrides(env, Optional.empty()));
        }
        CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder()
                .serviceName(serviceName).sourceConfiguration(configuration).build());
        RunningService service = new RunningService(slipway, created.service().serviceArn(), created.service().serviceName(),
                created.service().serviceUrl(), slipway.directPort(created.service().serviceArn()), this);
        try {
            created.operation().awaitSuccess(RunningService.OPERATION_TIMEOUT);
            readiness.until(service, RunningService.OPERATION_TIMEOUT);
            LOG.info("Service {} from {} is ready at {} after {} ms", service.name(), source, service.uri(),
                    (System.nanoTime() - started) / 1_000_000);
            return service;
        } catch (TimeoutException e) {
            throw deleted(service, new IllegalStateException("Service " + service.name() + " from " + source
                    + " was not running within " + RunningService.OPERATION_TIMEOUT.toMinutes() + " min", e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw deleted(service, new IllegalStateException("interrupted while deploying " + source, e));
        } catch (RuntimeException e) {
            throw deleted(service, e);
        }
    }

    /** A service that did not become ready is deleted before the test fails, so nothing of it outlives the failure. */
    private static RuntimeException deleted(RunningService service, RuntimeException failure) {
        try {
            service.delete();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }

    /** The name given, or made from the source's last path element, with a random suffix so parallel tests never collide. */
    private String uniqueName() {
        String from = image != null ? image.identifier().substring(image.identifier().lastIndexOf('/') + 1).replaceAll("[:@].*$", "")
                : source;
        String base = !name.isEmpty() ? name : from.replaceAll("\\.git$", "").replaceAll("/+$", "").replaceAll(".*/", "");
        base = base.replaceAll("[^A-Za-z0-9_-]", "-");
        base = base.substring(0, Math.min(base.length(), 33));
        return (base.isEmpty() ? "svc" : base) + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    }
}
