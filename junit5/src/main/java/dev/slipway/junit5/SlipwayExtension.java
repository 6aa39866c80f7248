package dev.slipway.junit5;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Deploys the {@link SlipwayService} fields of a {@link SlipwayTest} class: static ones before all its tests (deleted
 * after them), instance ones before each test (deleted after it), on the run's shared engine of their backend.
 */
public final class SlipwayExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SlipwayExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        deploy(context, null);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IllegalAccessException {
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            deploy(context, instance);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        deleteAll(context, false);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        deleteAll(context, true);
    }

    /** Deploys the static fields ({@code instance} null) or the instance fields of {@code instance}'s class. */
    private static void deploy(ExtensionContext context, Object instance) throws IllegalAccessException {
        Class<?> type = instance != null ? instance.getClass() : context.getRequiredTestClass();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                SlipwayService annotation = field.getAnnotation(SlipwayService.class);
                if (annotation == null || Modifier.isStatic(field.getModifiers()) == (instance != null)) {
                    continue;
                }
                if (field.getType() != RunningService.class) {
                    throw new ExtensionConfigurationException("@SlipwayService field " + field.getName() + " must be of type "
                            + "RunningService, not " + field.getType().getSimpleName());
                }
                if (annotation.source().isEmpty() == annotation.image().isEmpty()) {
                    throw new ExtensionConfigurationException("@SlipwayService " + field.getName() + ": give either source or image");
                }
                ServiceDefinition definition = new ServiceDefinition(annotation.source(), annotation.branch(),
                        annotation.image().isEmpty() ? null : new ServiceDefinition.Image(annotation.image(), annotation.port(), annotation.command()),
                        annotation.name(), ServiceDefinition.env(annotation.env(), "@SlipwayService " + field.getName()), annotation.backend(), annotation.healthCheck().isEmpty() ? Wait.running() : Wait.http(annotation.healthCheck()));
                RunningService service = definition.deploy(Engines.engine(context, annotation.backend()));
                deployed(context, instance == null).add(service);
                field.setAccessible(true);
                field.set(instance, service);
            }
        }
    }

    /** The services deployed for the class, or for the current test (stores see their parents' keys: two keys). */
    @SuppressWarnings("unchecked")
    private static List<RunningService> deployed(ExtensionContext context, boolean forClass) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(forClass ? "class-services" : "test-services",
                k -> new ArrayList<RunningService>(), List.class);
    }

    private static void deleteAll(ExtensionContext context, boolean forClass) {
        List<RunningService> services = deployed(context, forClass);
        for (RunningService s : services) {
            s.delete();
        }
        services.clear();
    }
}
