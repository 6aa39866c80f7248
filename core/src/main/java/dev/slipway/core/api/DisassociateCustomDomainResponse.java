package dev.slipway.core.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.slipway.core.model.*;
import java.util.List;

/** Output of DisassociateCustomDomain: the domain, and the service's own domain name (DNSTarget) that it is mapped to. */
public record DisassociateCustomDomainResponse(@JsonProperty("DNSTarget") String dnsTarget, String serviceArn, CustomDomain customDomain,
                                        @JsonProperty("VpcDNSTargets") List<VpcDNSTarget> vpcDnsTargets) {
}
