package dev.slipway.core.internal;

import dev.slipway.core.InvalidRequestException;

/** Makes and reads the ARNs of the API model: {@code arn:aws:apprunner:<region>:<account>:<type>/<name>/...}. */
public final class Arns {
    private final String prefix;
    private final String region;
    private final String account;

    public Arns(String region, String accountId) {
        this.prefix = "arn:aws:apprunner:" + region + ":" + accountId + ":";
        this.region = region;
        this.account = accountId;
    }

    public String region() {
        return region;
    }

    public String account() {
        return account;
    }

    public String service(String name, String id) {
        return prefix + "service/" + name + "/" + id;
    }

    public String connection(String name, String id) {
        return prefix + "connection/" + name + "/" + id;
    }

    public String autoScalingConfiguration(String name, int revision, String id) {
        return prefix + "autoscalingconfiguration/" + name + "/" + revision + "/" + id;
    }

    public String vpcIngressConnection(String name, String id) {
        return prefix + "vpcingressconnection/" + name + "/" + id;
    }

    public String vpcConnector(String name, int revision, String id) {
        return prefix + "vpcconnector/" + name + "/" + revision + "/" + id;
    }

    public String observabilityConfiguration(String name, int revision, String id) {
        return prefix + "observabilityconfiguration/" + name + "/" + revision + "/" + id;
    }

    /**
     * The path parts after the resource type, e.g. {@code [name, revision, id]}, checking the ARN is of this region,
     * account and type.
     */
    public String[] parts(String arn, String type, String field) {
        String start = prefix + type + "/";
        if (arn == null || !arn.startsWith(start) || arn.length() == start.length()) {
            throw new InvalidRequestException(field + " '" + arn + "' is not the ARN of an App Runner " + type
                    + " here; expected " + start + "<name>/...");
        }
        return arn.substring(start.length()).split("/");
    }

    /** The resource type of an App Runner ARN of this region and account, e.g. {@code service}. */
    public String typeOf(String arn, String field) {
        if (arn == null || !arn.startsWith(prefix) || arn.indexOf('/', prefix.length()) < 0) {
            throw new InvalidRequestException(field + " '" + arn + "' is not the ARN of an App Runner resource here; expected "
                    + prefix + "<type>/<name>/...");
        }
        return arn.substring(prefix.length(), arn.indexOf('/', prefix.length()));
    }
}
