package dev.slipway.core.model;

/** The status of a connection. */
public enum ConnectionStatus { PENDING_HANDSHAKE, AVAILABLE, ERROR, DELETED }
