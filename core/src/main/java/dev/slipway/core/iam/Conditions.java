package dev.slipway.core.iam;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * IAM's condition operators: {@code String(Not)Equals(IgnoreCase)}, {@code String(Not)Like},
 * {@code Numeric(Not)Equals}, {@code Numeric(LessThan|GreaterThan)(Equals)}, the same for {@code Date},
 * {@code Bool}, {@code (Not)IpAddress}, {@code Arn(Not)Equals}, {@code Arn(Not)Like} and {@code Null}; each may end in
 * {@code IfExists} (true when the request has no such key) and be qualified by {@code ForAnyValue:} or
 * {@code ForAllValues:} (for keys with several values, such as aws:TagKeys). Values of a key are ORed, keys and
 * operators ANDed. A negated operator is true when no value matches, and when the key is absent.
 */
final class Conditions {
    private Conditions() {
    }

    enum Quantifier { SINGLE, FOR_ANY_VALUE, FOR_ALL_VALUES }

    /** One key of one operator block, checked. */
    record Condition(String operator, Operator op, boolean ifExists, Quantifier quantifier, String key, List<String> values) {
        boolean test(RequestContext request) {
            Optional<List<String>> present = request.values(key).filter(v -> !v.isEmpty());
            if (op == Operator.NULL) {
                boolean wantAbsent = values.stream().anyMatch(v -> v.equalsIgnoreCase("true"));
                boolean wantPresent = values.stream().anyMatch(v -> v.equalsIgnoreCase("false"));
                return present.isEmpty() ? wantAbsent : wantPresent;
            }
            if (present.isEmpty()) {
                return quantifier == Quantifier.FOR_ALL_VALUES || ifExists || op.negated;
            }
            List<String> patterns = new ArrayList<>();
            for (String v : values) {
                (op.variables ? PolicyDocument.substitute(v, request) : Optional.of(v)).ifPresent(patterns::add);
            }
            BiPredicate<String, String> matches = op.matcher;
            List<String> context = present.get();
            return switch (quantifier) {
                case FOR_ALL_VALUES -> context.stream().allMatch(c -> one(patterns, c, matches));
                case FOR_ANY_VALUE -> context.stream().anyMatch(c -> one(patterns, c, matches));
                case SINGLE -> op.negated ? context.stream().allMatch(c -> one(patterns, c, matches))
                        : context.stream().anyMatch(c -> one(patterns, c, matches));
            };
        }

        /** Whether the context value {@code c} satisfies the operator with any of the policy's values. */
        private boolean one(List<String> patterns, String c, BiPredicate<String, String> matches) {
            boolean any = patterns.stream().anyMatch(p -> matches.test(p, c));
            return op.negated != any;
        }
    }

    enum Operator {
        STRING_EQUALS("StringEquals", false, true, (p, c) -> Wildcards.matches(Wildcards.escapeLiteral(p), c, false)),
        STRING_NOT_EQUALS("StringNotEquals", true, true, (p, c) -> Wildcards.matches(Wildcards.escapeLiteral(p), c, false)),
        STRING_EQUALS_IGNORE_CASE("StringEqualsIgnoreCase", false, true, (p, c) -> Wildcards.matches(Wildcards.escapeLiteral(p), c, true)),
        STRING_NOT_EQUALS_IGNORE_CASE("StringNotEqualsIgnoreCase", true, true, (p, c) -> Wildcards.matches(Wildcards.escapeLiteral(p), c, true)),
        STRING_LIKE("StringLike", false, true, (p, c) -> Wildcards.matches(p, c, false)),
        STRING_NOT_LIKE("StringNotLike", true, true, (p, c) -> Wildcards.matches(p, c, false)),
        NUMERIC_EQUALS("NumericEquals", false, false, numeric(n -> n == 0)),
        NUMERIC_NOT_EQUALS("NumericNotEquals", true, false, numeric(n -> n == 0)),
        NUMERIC_LESS_THAN("NumericLessThan", false, false, numeric(n -> n > 0)),
        NUMERIC_LESS_THAN_EQUALS("NumericLessThanEquals", false, false, numeric(n -> n >= 0)),
        NUMERIC_GREATER_THAN("NumericGreaterThan", false, false, numeric(n -> n < 0)),
        NUMERIC_GREATER_THAN_EQUALS("NumericGreaterThanEquals", false, false, numeric(n -> n <= 0)),
        DATE_EQUALS("DateEquals", false, false, date(n -> n == 0)),
        DATE_NOT_EQUALS("DateNotEquals", true, false, date(n -> n == 0)),
        DATE_LESS_THAN("DateLessThan", false, false, date(n -> n > 0)),
        DATE_LESS_THAN_EQUALS("DateLessThanEquals", false, false, date(n -> n >= 0)),
        DATE_GREATER_THAN("DateGreaterThan", false, false, date(n -> n < 0)),
        DATE_GREATER_THAN_EQUALS("DateGreaterThanEquals", false, false, date(n -> n <= 0)),
        BOOL("Bool", false, false, (p, c) -> p.equalsIgnoreCase(c)),
        IP_ADDRESS("IpAddress", false, false, Conditions::inRange),
        NOT_IP_ADDRESS("NotIpAddress", true, false, Conditions::inRange),
        ARN_EQUALS("ArnEquals", false, true, Conditions::arnLike),
        ARN_LIKE("ArnLike", false, true, Conditions::arnLike),
        ARN_NOT_EQUALS("ArnNotEquals", true, true, Conditions::arnLike),
        ARN_NOT_LIKE("ArnNotLike", true, true, Conditions::arnLike),
        NULL("Null", false, false, (p, c) -> false);

        final String name;
        final boolean negated;
        /** Its values may hold policy variables. */
        final boolean variables;
        /** (policy value, request value) → whether they match, before negation. */
        final BiPredicate<String, String> matcher;

        Operator(String name, boolean negated, boolean variables, BiPredicate<String, String> matcher) {
            this.name = name;
            this.negated = negated;
            this.variables = variables;
            this.matcher = matcher;
        }

        static Optional<Operator> named(String name) {
            for (Operator o : values()) {
                if (o.name.equals(name)) {
                    return Optional.of(o);
                }
            }
            return Optional.empty();
        }
    }

    /** The conditions of a statement's Condition block, checked. */
    static List<Condition> read(JsonNode block, JsonPointer at, PolicyDocument.Reader r) {
        if (!block.isObject() || block.isEmpty()) {
            throw r.invalid(at, "Condition must be an object of operators, e.g. {\"StringEquals\": {\"aws:ResourceTag/team\": \"web\"}}");
        }
        List<Condition> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = block.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String full = e.getKey();
            JsonPointer here = at.append(JsonPointer.compile("/" + full.replace("~", "~0").replace("/", "~1")));
            Quantifier q = Quantifier.SINGLE;
            String name = full;
            if (name.startsWith("ForAnyValue:")) {
                q = Quantifier.FOR_ANY_VALUE;
                name = name.substring("ForAnyValue:".length());
            } else if (name.startsWith("ForAllValues:")) {
                q = Quantifier.FOR_ALL_VALUES;
                name = name.substring("ForAllValues:".length());
            }
            boolean ifExists = name.endsWith("IfExists");
            String base = ifExists ? name.substring(0, name.length() - "IfExists".length()) : name;
            Operator op = Operator.named(base).orElseThrow(() -> r.invalid(here, "'" + full + "' is not a condition operator "
                    + "(StringEquals, StringLike, ArnLike, NumericLessThan, DateGreaterThan, Bool, IpAddress, Null ..., each "
                    + "with IfExists, ForAnyValue: or ForAllValues: if need be)"));
            if (op == Operator.NULL && (ifExists || q != Quantifier.SINGLE)) {
                throw r.invalid(here, "Null takes neither IfExists nor ForAnyValue:/ForAllValues:");
            }
            if (!e.getValue().isObject() || e.getValue().isEmpty()) {
                throw r.invalid(here, "an operator takes an object of condition keys and their values");
            }
            for (Iterator<Map.Entry<String, JsonNode>> keys = e.getValue().fields(); keys.hasNext(); ) {
                Map.Entry<String, JsonNode> k = keys.next();
                JsonPointer keyAt = here.append(JsonPointer.compile("/" + k.getKey().replace("~", "~0").replace("/", "~1")));
                if (!k.getKey().contains(":")) {
                    throw r.invalid(keyAt, "'" + k.getKey() + "' is not a condition key (aws:SourceIp, aws:ResourceTag/<key>, "
                            + "apprunner:ConnectionArn ...)");
                }
                List<String> values = scalars(k.getValue(), keyAt, r);
                for (String v : values) {
                    check(op, v, keyAt, r);
                }
                out.add(new Condition(full, op, ifExists, q, k.getKey(), values));
            }
        }
        return out;
    }

    private static List<String> scalars(JsonNode v, JsonPointer at, PolicyDocument.Reader r) {
        List<String> out = new ArrayList<>();
        if (v.isValueNode() && !v.isNull()) {
            out.add(v.asText());
        } else if (v.isArray() && !v.isEmpty()) {
            for (JsonNode e : v) {
                if (!e.isValueNode() || e.isNull()) {
                    throw r.invalid(at, "a condition key's values are strings, numbers or booleans");
                }
                out.add(e.asText());
            }
        } else {
            throw r.invalid(at, "a condition key takes a value or a non-empty list of values");
        }
        return out;
    }

    /** Values the operator could never compare are mistakes, said at once. */
    private static void check(Operator op, String v, JsonPointer at, PolicyDocument.Reader r) {
        switch (op) {
            case NUMERIC_EQUALS, NUMERIC_NOT_EQUALS, NUMERIC_LESS_THAN, NUMERIC_LESS_THAN_EQUALS, NUMERIC_GREATER_THAN,
                    NUMERIC_GREATER_THAN_EQUALS -> {
                if (number(v).isEmpty()) {
                    throw r.invalid(at, "'" + v + "' is not a number");
                }
            }
            case DATE_EQUALS, DATE_NOT_EQUALS, DATE_LESS_THAN, DATE_LESS_THAN_EQUALS, DATE_GREATER_THAN, DATE_GREATER_THAN_EQUALS -> {
                if (instant(v).isEmpty()) {
                    throw r.invalid(at, "'" + v + "' is not a date (ISO 8601, 2026-12-31T23:59:59Z, or seconds since 1970)");
                }
            }
            case BOOL, NULL -> {
                if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                    throw r.invalid(at, "'" + v + "' is not true or false");
                }
            }
            case IP_ADDRESS, NOT_IP_ADDRESS -> {
                if (range(v).isEmpty()) {
                    throw r.invalid(at, "'" + v + "' is not an IP address or CIDR range (203.0.113.0/24, 2001:db8::/32)");
                }
            }
            default -> {
            }
        }
    }

    private static BiPredicate<String, String> numeric(java.util.function.IntPredicate policyVsRequest) {
        return (p, c) -> {
            Optional<BigDecimal> a = number(p);
            Optional<BigDecimal> b = number(c);
            return a.isPresent() && b.isPresent() && policyVsRequest.test(a.get().compareTo(b.get()));
        };
    }

    private static BiPredicate<String, String> date(java.util.function.IntPredicate policyVsRequest) {
        return (p, c) -> {
            Optional<Instant> a = instant(p);
            Optional<Instant> b = instant(c);
            return a.isPresent() && b.isPresent() && policyVsRequest.test(a.get().compareTo(b.get()));
        };
    }

    private static Optional<BigDecimal> number(String v) {
        try {
            return Optional.of(new BigDecimal(v.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static Optional<Instant> instant(String v) {
        String s = v.trim();
        if (s.matches("-?\\d{1,12}")) {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(s)));
        }
        try {
            return Optional.of(OffsetDateTime.parse(s).toInstant());
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(java.time.LocalDate.parse(s).atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
            } catch (DateTimeParseException again) {
                return Optional.empty();
            }
        }
    }

    private record Range(byte[] network, int prefix) {
    }

    private static Optional<Range> range(String v) {
        String s = v.trim();
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        if (!InetAddresses.isInetAddress(address)) {
            return Optional.empty();
        }
        byte[] bytes = InetAddresses.forString(address).getAddress();
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            if (prefix < 0 || prefix > bytes.length * 8) {
                return Optional.empty();
            }
        }
        return Optional.of(new Range(bytes, prefix));
    }

    private static boolean inRange(String policy, String request) {
        Optional<Range> r = range(policy);
        if (r.isEmpty() || !InetAddresses.isInetAddress(request.trim())) {
            return false;
        }
        InetAddress a = InetAddresses.forString(request.trim());
        byte[] b = a.getAddress();
        if (a instanceof java.net.Inet6Address && r.get().network().length == 4) {
            try { // an IPv4-mapped address matches IPv4 ranges
                b = InetAddresses.getCoercedIPv4Address(a).getAddress();
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        byte[] n = r.get().network();
        if (b.length != n.length) {
            return false;
        }
        int bits = r.get().prefix();
        for (int i = 0; i < n.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((b[i] & mask) != (n[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** ARNs compared part by part (arn:partition:service:region:account:resource), each with wildcards. */
    private static boolean arnLike(String policy, String request) {
        String[] p = policy.split(":", 6);
        String[] c = request.split(":", 6);
        if (p.length != 6 || c.length != 6) {
            return false;
        }
        for (int i = 0; i < 6; i++) {
            if (!Wildcards.matches(p[i], c[i], false)) {
                return false;
            }
        }
        return true;
    }
}
