package dev.slipway.core.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.slipway.core.model.*;
import java.util.List;

/** Output of DescribeCustomDomains, in the order they were associated. */
public record DescribeCustomDomainsResponse(@JsonProperty("DNSTarget") String dnsTarget, String serviceArn,
                                            List<CustomDomain> customDomains,
                                            @JsonProperty("VpcDNSTargets") List<VpcDNSTarget> vpcDnsTargets, String nextToken) {
}
