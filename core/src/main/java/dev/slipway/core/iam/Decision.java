package dev.slipway.core.iam;

/**
 * The outcome of evaluating identity policies, as IAM's evaluation logic has it: an explicit deny wins over any allow;
 * without an allow, the request is implicitly denied.
 *
 * @param effect    what was decided
 * @param statement the statement that decided it (its policy's name and the statement's Sid or index), or empty for an
 *                  implicit deny
 */
public record Decision(Effect effect, String statement) {
    public enum Effect { ALLOW, EXPLICIT_DENY, IMPLICIT_DENY }

    public static final Decision IMPLICIT_DENY = new Decision(Effect.IMPLICIT_DENY, "");

    public boolean allowed() {
        return effect == Effect.ALLOW;
    }
}
