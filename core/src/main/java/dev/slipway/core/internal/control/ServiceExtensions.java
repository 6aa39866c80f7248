package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.internal.deploy.Rollout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Slipway's extensions of a service beyond App Runner's API, set as tags whose keys begin with {@code slipway:} (App
 * Runner stores tags and ignores them, so the AWS CLI sets these unchanged): checked when they are set (a bad value is
 * an InvalidRequestException naming the tag and the rule, and nothing changes), read when a deployment starts.
 */
final class ServiceExtensions {
    static final String PREFIX = "slipway:";
    static final String HTTPS_REDIRECT = CustomDomains.HTTPS_REDIRECT_TAG;
    static final String HTTP2 = ServiceSettings.HTTP2_TAG;
    static final String TRAFFIC_STEPS = "slipway:traffic-steps";
    static final String STEP_SECONDS = "slipway:traffic-step-seconds";
    static final String ROLLBACK_5XX = "slipway:rollback-5xx-percent";
    static final String REVISION_TAG = "slipway:revision-tag";
    static final List<String> KNOWN = List.of(HTTP2, HTTPS_REDIRECT, REVISION_TAG, ROLLBACK_5XX, STEP_SECONDS, TRAFFIC_STEPS);

    static final Duration DEFAULT_PAUSE = Duration.ofSeconds(60);
    static final int DEFAULT_MAX_5XX = 5;
    private static final Pattern TAG = Pattern.compile("[a-z]([a-z0-9-]*[a-z0-9])?");
    /** A DNS label's longest: {@code <tag>--<service's label>} must be one. */
    private static final int MAX_LABEL = 63;

    private ServiceExtensions() {
    }

    /**
     * Checks the {@code slipway:} tags of a service whose domain is {@code host}; throws InvalidRequestException naming
     * the first one that is not known or not valid.
     */
    static void check(Map<String, String> tags, String host) {
        for (var tag : tags.entrySet()) {
            String key = tag.getKey();
            if (key.startsWith(PREFIX)) {
                if (!KNOWN.contains(key)) {
                    throw new InvalidRequestException("Tag " + key + " is not a Slipway extension; the tags beginning with "
                            + PREFIX + " that Slipway reads are " + String.join(", ", KNOWN));
                }
                value(key, tag.getValue(), host);
            }
        }
    }

    /** How a deployment of a service with these tags moves its traffic (checked when they were set). */
    static Rollout rollout(Map<String, String> tags, String host) {
        @SuppressWarnings("unchecked")
        List<Integer> steps = (List<Integer>) Optional.ofNullable(tags.get(TRAFFIC_STEPS)).map(v -> value(TRAFFIC_STEPS, v, host))
                .orElse(List.of(100));
        Duration pause = Optional.ofNullable(tags.get(STEP_SECONDS)).map(v -> Duration.ofSeconds((Integer) value(STEP_SECONDS, v, host)))
                .orElse(DEFAULT_PAUSE);
        int max5xx = Optional.ofNullable(tags.get(ROLLBACK_5XX)).map(v -> (Integer) value(ROLLBACK_5XX, v, host)).orElse(DEFAULT_MAX_5XX);
        Optional<String> tag = Optional.ofNullable(tags.get(REVISION_TAG)).map(v -> (String) value(REVISION_TAG, v, host));
        return new Rollout(steps, pause, max5xx, tag);
    }

    /** The value of extension {@code key} as it is used, or an InvalidRequestException saying the rule. */
    private static Object value(String key, String value, String host) {
        String v = value == null ? "" : value.trim();
        return switch (key) {
            case HTTP2, HTTPS_REDIRECT -> {
                if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                    throw bad(key, value, "must be true or false");
                }
                yield Boolean.parseBoolean(v);
            }
            case TRAFFIC_STEPS -> {
                List<Integer> steps = new ArrayList<>();
                for (String part : v.split(",", -1)) {
                    int p = integer(key, value, part.trim(), 0, 100, "a comma-separated list of percentages from 0 to 100, e.g. 10,50,100");
                    if (!steps.isEmpty() && p <= steps.get(steps.size() - 1)) {
                        throw bad(key, value, "must be percentages that only grow, e.g. 10,50,100");
                    }
                    steps.add(p);
                }
                if (steps.get(steps.size() - 1) != 100) {
                    steps.add(100); // the last step takes all the traffic
                }
                yield List.copyOf(steps);
            }
            case STEP_SECONDS -> integer(key, value, v, 1, 86_400, "must be the seconds between steps, 1 to 86400");
            case ROLLBACK_5XX -> integer(key, value, v, 0, 100, "must be a percentage from 0 to 100");
            default -> { // REVISION_TAG
                int room = MAX_LABEL - 2 - host.indexOf('.');
                if (!TAG.matcher(v).matches() || v.contains("--") || v.length() > room) {
                    throw bad(key, value, "must be a DNS label of lower-case letters, digits and single hyphens, starting with a letter, "
                            + "at most " + room + " characters (<tag>--" + host + " is its host name)");
                }
                yield v;
            }
        };
    }

    private static int integer(String key, String value, String v, int min, int max, String rule) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // the rule says what is wanted
        }
        throw bad(key, value, rule.startsWith("must") ? rule : "must be " + rule);
    }

    private static InvalidRequestException bad(String key, String value, String rule) {
        return new InvalidRequestException("Tag " + key + " " + rule + " (a Slipway extension), not '" + value + "'");
    }
}
