package dev.slipway.server.console;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's signed-in sessions, kept in memory only (a restarted server signs everyone out): a random id (the
 * cookie), the access key it signed in with, and a CSRF token that every form posts back. A session ends after an hour
 * without a request, after twelve hours in any case, or at sign-out.
 */
final class Sessions {
    static final Duration IDLE = Duration.ofHours(1);
    static final Duration LONGEST = Duration.ofHours(12);
    /** At most this many sessions at once; the oldest go first. */
    private static final int MAX = 1000;

    record Session(String id, String accessKeyId, String csrf, Instant started, Instant seen, String flash) {
        Session touched(Instant now) {
            return new Session(id, accessKeyId, csrf, started, now, null);
        }

        Session withFlash(String message) {
            return new Session(id, accessKeyId, csrf, started, seen, message);
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    Sessions(Clock clock) {
        this.clock = clock;
    }

    Session start(String accessKeyId) {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> expired(s, now));
        if (sessions.size() >= MAX) {
            sessions.values().stream().min(java.util.Comparator.comparing(Session::seen)).ifPresent(s -> sessions.remove(s.id()));
        }
        Session s = new Session(token(), accessKeyId, token(), now, now, null);
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session of {@code id}, its flash message taken (shown once), its idle time restarted. */
    Optional<Session> get(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        Instant now = clock.instant();
        if (s == null || expired(s, now)) {
            if (s != null) {
                sessions.remove(id);
            }
            return Optional.empty();
        }
        sessions.put(id, s.touched(now));
        return Optional.of(s);
    }

    /** A message the next page shows once (what an action did, or why it was refused). */
    void flash(String id, String message) {
        sessions.computeIfPresent(id, (k, s) -> s.withFlash(message));
    }

    void end(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    private static boolean expired(Session s, Instant now) {
        return now.isAfter(s.seen().plus(IDLE)) || now.isAfter(s.started().plus(LONGEST));
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
