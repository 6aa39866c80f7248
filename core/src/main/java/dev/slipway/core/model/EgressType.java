package dev.slipway.core.model;

/** How instances reach the network. */
public enum EgressType { DEFAULT, VPC }
