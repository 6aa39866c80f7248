package dev.slipway.core.api;

/** Input of DescribeCustomDomains; without MaxResults (1 to 5), every domain in one page. */
public record DescribeCustomDomainsRequest(String serviceArn, String nextToken, Integer maxResults) {
}
