package dev.slipway.server.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API's request rate, per access key: a token bucket that holds {@code burst} calls and refills at {@code perSecond}
 * (as AWS APIs do, a caller past it is answered {@code ThrottlingException}, which the AWS CLI and SDKs retry with
 * backoff). A bucket starts full, so a burst after a quiet spell is never refused.
 */
public final class ApiThrottle {
    /** 50 calls a second per access key, bursts of 100. */
    public static final ApiThrottle DEFAULT = new ApiThrottle(50, 100);
    /** No limit. */
    public static final ApiThrottle NONE = new ApiThrottle(0, 0);

    private final double perSecond;
    private final double burst;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** {@code perSecond} 0: no limit. */
    public ApiThrottle(double perSecond, double burst) {
        if (perSecond < 0 || perSecond > 0 && burst < 1) {
            throw new IllegalArgumentException("an API rate must be 0 (no limit) or positive with a burst of at least 1, not "
                    + perSecond + "/s with a burst of " + burst);
        }
        this.perSecond = perSecond;
        this.burst = burst;
    }

    /** Takes one call of {@code accessKeyId}'s; false if it has none left now. */
    boolean tryTake(String accessKeyId) {
        if (perSecond == 0) {
            return true;
        }
        return buckets.computeIfAbsent(accessKeyId, k -> new Bucket(burst)).take(perSecond, burst, System.nanoTime());
    }

    String describe() {
        return perSecond == 0 ? "no limit" : perSecond + " calls a second, bursts of " + (long) burst;
    }

    private static final class Bucket {
        private double tokens;
        private long at = System.nanoTime();

        Bucket(double tokens) {
            this.tokens = tokens;
        }

        synchronized boolean take(double perSecond, double burst, long now) {
            tokens = Math.min(burst, tokens + (now - at) / 1e9 * perSecond);
            at = now;
            if (tokens < 1) {
                return false;
            }
            tokens--;
            return true;
        }
    }
}
