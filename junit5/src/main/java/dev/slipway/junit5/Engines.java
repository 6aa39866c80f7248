package dev.slipway.junit5;

import dev.slipway.core.Slipway;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Slipway engine per backend for the whole test run, shared by every test class (started at first use, closed
 * when the run ends: JUnit closes what its root store holds). Its router listens on a free port and gives every
 * service a port of its own; local Git working trees are deployed as they are.
 */
final class Engines {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Engines.class);

    private Engines() {
    }

    static Slipway engine(ExtensionContext context, String backend) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("engine-" + backend, k -> new Engine(backend), Engine.class).slipway;
    }

    @SuppressWarnings("deprecation") // CloseableResource: what JUnit versions before 5.13 close
    static final class Engine implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final Slipway slipway;
        private boolean closed;

        Engine(String backend) {
            slipway = Slipway.builder().backend(backend).routerPort(0).directPorts(true).deployWorkingTrees(true).build();
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                slipway.close();
            }
        }
    }
}
