package dev.slipway.core.model;

/** The kind of an asynchronous operation. */
public enum OperationType { START_DEPLOYMENT, CREATE_SERVICE, PAUSE_SERVICE, RESUME_SERVICE, DELETE_SERVICE, UPDATE_SERVICE }
