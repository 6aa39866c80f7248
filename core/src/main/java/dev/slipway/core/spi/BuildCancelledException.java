package dev.slipway.core.spi;

import dev.slipway.core.build.BuildFailedException;

/** A preparation was cancelled (its thread was interrupted); every build command it ran is stopped. */
public final class BuildCancelledException extends BuildFailedException {
    public BuildCancelledException(String message) {
        super(message);
    }
}
