package dev.slipway.tls;

import dev.slipway.core.Slipway;
import dev.slipway.core.testing.Pebble;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.function.BiFunction;

/**
 * Pebble validates HTTP-01 on a port fixed when it starts, and the router must then listen on that port: the port is
 * held while Pebble starts (so none of Pebble's own free ports can be it), and if something still takes it before the
 * router binds, both start again on another.
 */
record PebbleAndRouter(Pebble pebble, Slipway slipway) implements AutoCloseable {
    private static final int ATTEMPTS = 3;

    /** {@code slipway} builds Slipway with its router on the given port and a certificate authority on that Pebble. */
    static PebbleAndRouter start(Path dir, String delegatedZone, int delegatedZonePort, BiFunction<Pebble, Integer, Slipway> slipway) {
        for (int attempt = 1; ; attempt++) {
            Pebble pebble;
            int routerPort;
            try (ServerSocket held = new ServerSocket(0)) {
                routerPort = held.getLocalPort();
                pebble = Pebble.start(dir.resolve("pebble-" + attempt), routerPort, delegatedZone, delegatedZonePort);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                return new PebbleAndRouter(pebble, slipway.apply(pebble, routerPort));
            } catch (RuntimeException e) {
                pebble.close();
                if (!bindFailure(e) || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static boolean bindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        slipway.close();
        pebble.close();
    }
}
