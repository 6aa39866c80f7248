package dev.slipway.core.model;

/** The image registry of an image service. */
public enum ImageRepositoryType { ECR, ECR_PUBLIC }
