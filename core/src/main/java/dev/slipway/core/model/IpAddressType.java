package dev.slipway.core.model;

/** The IP address type of a service's ingress. */
public enum IpAddressType { IPV4, DUAL_STACK }
