package dev.slipway.core.iam;

import java.util.List;
import java.util.Map;

/**
 * Who calls the API: a named user or role, its tags ({@code aws:PrincipalTag/<key>}), its access keys and the identity
 * policies attached to it. A call is allowed when a policy allows it and none denies it ({@link #decide}).
 */
public record Principal(String name, Type type, Map<String, String> tags, List<AccessKey> accessKeys, List<PolicyDocument> policies) {
    public enum Type { USER, ROLE }

    /** An access key pair; its secret never shows in {@link #toString()}. */
    public record AccessKey(String accessKeyId, String secretAccessKey) {
        @Override
        public String toString() {
            return "AccessKey[" + accessKeyId + "]";
        }
    }

    public Principal {
        tags = Map.copyOf(tags);
        accessKeys = List.copyOf(accessKeys);
        policies = List.copyOf(policies);
    }

    /** A user with {@code policies} (managed ones by {@link ManagedPolicies#named}). */
    public static Principal user(String name, List<AccessKey> keys, List<PolicyDocument> policies) {
        return new Principal(name, Type.USER, Map.of(), keys, policies);
    }

    /** The ARN IAM gives it: {@code arn:aws:iam::<account>:user/<name>} (or {@code role/}). */
    public String arn(String account) {
        return "arn:aws:iam::" + account + ":" + (type == Type.USER ? "user/" : "role/") + name;
    }

    /** IAM's evaluation of identity policies: an explicit deny in any wins; else an allow in any; else an implicit deny. */
    public Decision decide(RequestContext request) {
        Decision allowed = Decision.IMPLICIT_DENY;
        for (PolicyDocument p : policies) {
            Decision d = p.evaluate(request);
            if (d.effect() == Decision.Effect.EXPLICIT_DENY) {
                return d;
            }
            if (d.allowed() && !allowed.allowed()) {
                allowed = d;
            }
        }
        return allowed;
    }

    @Override
    public String toString() {
        return "Principal[" + type.name().toLowerCase(java.util.Locale.ROOT) + " " + name + ", " + accessKeys.size()
                + " key(s), " + policies.size() + " polic(ies)]";
    }
}
