package dev.slipway.junit5;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A service for what annotations cannot say, registered with {@code @RegisterExtension}: in a static field one
 * service for the class, in an instance field one per test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static SlipwayServiceExtension hello = SlipwayServiceExtension.fromDirectory("examples/python-hello")
 *         .waitingFor(Wait.http("/"));
 * }</pre>
 */
public final class SlipwayServiceExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final String source;
    private final ServiceDefinition.Image image;
    private String branch = "main";
    private String name = "";
    private String backend = "local";
    private Wait wait = Wait.running();
    private final Map<String, String> env = new LinkedHashMap<>();
    private RunningService service;
    private boolean perClass;

    private SlipwayServiceExtension(String source, ServiceDefinition.Image image) {
        this.source = Objects.requireNonNull(source, "source");
        this.image = image;
        if (image != null) {
            backend = "docker";
        }
    }

    /** The source code in a directory (relative to the working directory), built and run as its apprunner.yaml says. */
    public static SlipwayServiceExtension fromDirectory(String directory) {
        return new SlipwayServiceExtension(directory, null);
    }

    /** The head of {@code branch} of a Git repository. */
    public static SlipwayServiceExtension fromGit(String repositoryUrl, String branch) {
        return new SlipwayServiceExtension(repositoryUrl, null).branch(branch);
    }

    /**
     * An image on a container backend ({@code docker} unless {@link #onBackend} says otherwise), listening on
     * {@code port}, started by {@code startCommand} (empty: the image's own command).
     */
    public static SlipwayServiceExtension fromImage(String image, String port, String startCommand) {
        return new SlipwayServiceExtension(image, new ServiceDefinition.Image(image, port, startCommand));
    }

    public SlipwayServiceExtension branch(String branch) {
        this.branch = branch;
        return this;
    }

    /** A run environment variable over the ones apprunner.yaml sets. */
    public SlipwayServiceExtension withEnv(String name, String value) {
        env.put(name, value);
        return this;
    }

    public SlipwayServiceExtension named(String name) {
        this.name = name;
        return this;
    }

    public SlipwayServiceExtension onBackend(String backend) {
        this.backend = backend;
        return this;
    }

    public SlipwayServiceExtension waitingFor(Wait wait) {
        this.wait = wait;
        return this;
    }

    /** The running service (once the class's or the test's setup deployed it). */
    public RunningService service() {
        if (service == null) {
            throw new IllegalStateException("the service of " + source + " is not deployed yet: use it from a test or a @BeforeEach");
        }
        return service;
    }

    public URI uri() {
        return service().uri();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        service = new ServiceDefinition(source, branch, image, name, env, backend, wait).deploy(Engines.engine(context, backend));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            service = new ServiceDefinition(source, branch, image, name, env, backend, wait).deploy(Engines.engine(context, backend));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass && service != null) {
            service.delete();
            service = null;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (perClass && service != null) {
            service.delete();
            service = null;
        }
    }
}
