package dev.slipway.core.model;

/** A container image to run. */
public record ImageRepository(String imageIdentifier, ImageConfiguration imageConfiguration,
                              ImageRepositoryType imageRepositoryType) {
}
