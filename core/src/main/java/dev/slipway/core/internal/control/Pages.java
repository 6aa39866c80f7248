package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** MaxResults/NextToken paging of list actions; a token is the offset of the next page. */
final class Pages {
    private Pages() {
    }

    /** One page of a list, and the token of the next one (null on the last page). */
    record Page<T>(List<T> items, String nextToken) {
    }

    static <T> Page<T> page(List<T> all, Integer maxResults, String nextToken, int defaultSize) {
        int start = 0;
        if (nextToken != null && !nextToken.isEmpty()) {
            try {
                start = Integer.parseInt(new String(Base64.getUrlDecoder().decode(nextToken), StandardCharsets.UTF_8).replace("offset:", ""));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("nextToken '" + nextToken + "' is not a token this API returned; "
                        + "pass the NextToken of the previous page unchanged");
            }
            if (start < 0 || start > all.size()) {
                throw new InvalidRequestException("nextToken is out of date; list again from the first page");
            }
        }
        int size = maxResults != null ? maxResults : defaultSize;
        int end = Math.min(all.size(), start + size);
        String next = end < all.size()
                ? Base64.getUrlEncoder().withoutPadding().encodeToString(("offset:" + end).getBytes(StandardCharsets.UTF_8)) : null;
        return new Page<>(List.copyOf(all.subList(start, end)), next);
    }
}
