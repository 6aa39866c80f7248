package dev.slipway.core.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.core.InvalidRequestException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An EventBridge event pattern (its content-filtering language): a JSON object that mirrors the events it matches.
 * Each field names a list of values, any of which may match the event's value there (or, for an array in the event,
 * any of its elements): exact strings, numbers (compared as numbers), booleans and null, and the operators
 * {@code prefix}, {@code suffix}, {@code equals-ignore-case}, {@code wildcard} ({@code *} for any characters),
 * {@code anything-but} (a value, a list of values, or a {@code prefix}/{@code suffix}), {@code numeric} (up to two
 * comparisons of {@code < <= = > >=}), {@code exists} ({@code false}: the field is absent). Nested objects match nested
 * fields; {@code "$or": [pattern, ...]} matches when any of its patterns does. Every field of a pattern must match.
 * An invalid pattern is refused with an {@link InvalidRequestException} that says where and why.
 */
public final class EventPattern {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OPERATORS = Set.of("prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but",
            "numeric", "exists");

    private final JsonNode pattern;

    private EventPattern(JsonNode pattern) {
        this.pattern = pattern;
    }

    /** Reads and checks a pattern. */
    public static EventPattern parse(String json) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new InvalidRequestException("Event pattern is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (tree == null || !tree.isObject()) {
            throw new InvalidRequestException("Event pattern is not valid: it must be a JSON object, such as {\"detail-type\": [\"Service Status Change\"]}");
        }
        check(tree, "");
        return new EventPattern(tree);
    }

    /** Whether {@code event} (an EventBridge-shaped event) matches. */
    public boolean matches(JsonNode event) {
        return matchesObject(pattern, event);
    }

    public boolean matches(AppRunnerEvent event) {
        return matches(event.toJson());
    }

    @Override
    public String toString() {
        return pattern.toString();
    }

    // ---------------------------------------------------------------- checking

    private static void check(JsonNode object, String path) {
        if (object.isEmpty()) {
            throw invalid(path, "an object must name at least one field");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            JsonNode v = e.getValue();
            if (e.getKey().equals("$or")) {
                if (!v.isArray() || v.size() < 2) {
                    throw invalid(at, "$or takes a list of at least two patterns");
                }
                v.forEach(p -> {
                    if (!p.isObject()) {
                        throw invalid(at, "each pattern of $or must be an object");
                    }
                    check(p, path);
                });
            } else if (v.isObject()) {
                check(v, at);
            } else if (v.isArray()) {
                if (v.isEmpty()) {
                    throw invalid(at, "a field's list of values must not be empty");
                }
                v.forEach(m -> checkMatcher(m, at));
            } else {
                throw invalid(at, "a field's values must be a list (write [" + v + "], not " + v + ")");
            }
        }
    }

    private static void checkMatcher(JsonNode m, String at) {
        if (m.isArray()) {
            throw invalid(at, "a value of the list cannot be a list");
        }
        if (!m.isObject()) {
            return; // a literal
        }
        if (m.size() != 1) {
            throw invalid(at, "an operator object names exactly one operator, not " + m.size());
        }
        String op = m.fieldNames().next();
        JsonNode arg = m.get(op);
        switch (op) {
            case "prefix", "suffix" -> {
                if (!arg.isTextual() && !(arg.isObject() && arg.size() == 1 && arg.has("equals-ignore-case") && arg.get("equals-ignore-case").isTextual())) {
                    throw invalid(at, op + " takes a string (or {\"equals-ignore-case\": string})");
                }
            }
            case "equals-ignore-case", "wildcard" -> {
                if (!arg.isTextual()) {
                    throw invalid(at, op + " takes a string");
                }
                if (op.equals("wildcard") && arg.asText().contains("**")) {
                    throw invalid(at, "wildcard cannot have two * in a row");
                }
            }
            case "exists" -> {
                if (!arg.isBoolean()) {
                    throw invalid(at, "exists takes true or false");
                }
            }
            case "anything-but" -> {
                if (arg.isObject()) {
                    if (arg.size() != 1 || !(arg.has("prefix") || arg.has("suffix")) || !arg.elements().next().isTextual()) {
                        throw invalid(at, "anything-but takes a value, a list of values, or {\"prefix\"|\"suffix\": string}");
                    }
                } else if (arg.isArray()) {
                    arg.forEach(a -> {
                        if (a.isContainerNode()) {
                            throw invalid(at, "anything-but's list holds strings, numbers, booleans or null");
                        }
                    });
                }
            }
            case "numeric" -> checkNumeric(arg, at);
            default -> throw invalid(at, "unknown operator '" + op + "' (known: " + new java.util.TreeSet<>(OPERATORS) + ")");
        }
    }

    private static void checkNumeric(JsonNode arg, String at) {
        if (!arg.isArray() || (arg.size() != 2 && arg.size() != 4)) {
            throw invalid(at, "numeric takes one or two comparisons, e.g. [\">\", 0, \"<=\", 5]");
        }
        for (int i = 0; i < arg.size(); i += 2) {
            String op = arg.get(i).asText();
            if (!Set.of("<", "<=", "=", ">", ">=").contains(op) || !arg.get(i + 1).isNumber()) {
                throw invalid(at, "numeric comparisons are one of < <= = > >= and a number, not " + arg.get(i) + " " + arg.get(i + 1));
            }
        }
        if (arg.size() == 4) {
            String first = arg.get(0).asText();
            String second = arg.get(2).asText();
            boolean range = first.startsWith(">") && second.startsWith("<") || first.startsWith("<") && second.startsWith(">");
            if (!range) {
                throw invalid(at, "two numeric comparisons must make a range: a lower bound (> or >=) and an upper one (< or <=)");
            }
        }
    }

    private static InvalidRequestException invalid(String at, String why) {
        return new InvalidRequestException("Event pattern is not valid" + (at.isEmpty() ? "" : " at " + at) + ": " + why);
    }

    // ---------------------------------------------------------------- matching

    private static boolean matchesObject(JsonNode pattern, JsonNode event) {
        for (Iterator<Map.Entry<String, JsonNode>> it = pattern.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("$or")) {
                boolean any = false;
                for (JsonNode p : e.getValue()) {
                    any |= matchesObject(p, event);
                }
                if (!any) {
                    return false;
                }
                continue;
            }
            JsonNode value = event == null || !event.isObject() ? null : event.get(e.getKey());
            if (e.getValue().isObject()) {
                if (value == null || !matchesObject(e.getValue(), value)) {
                    return false;
                }
            } else if (!matchesField(e.getValue(), value)) {
                return false;
            }
        }
        return true;
    }

    /** A field's list of matchers against its value in the event (null: absent). */
    private static boolean matchesField(JsonNode matchers, JsonNode value) {
        List<JsonNode> values = new ArrayList<>();
        if (value != null && value.isArray()) {
            value.forEach(values::add);
        } else if (value != null) {
            values.add(value);
        }
        for (JsonNode m : matchers) {
            if (m.isObject() && m.has("exists")) {
                if (m.get("exists").asBoolean() == (value != null)) {
                    return true;
                }
                continue;
            }
            for (JsonNode v : values) {
                if (matchesValue(m, v)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean matchesValue(JsonNode m, JsonNode v) {
        if (!m.isObject()) {
            return literal(m, v);
        }
        String op = m.fieldNames().next();
        JsonNode arg = m.get(op);
        String text = v.isTextual() ? v.asText() : null;
        return switch (op) {
            case "prefix" -> text != null && (arg.isTextual() ? text.startsWith(arg.asText())
                    : text.toLowerCase(Locale.ROOT).startsWith(arg.get("equals-ignore-case").asText().toLowerCase(Locale.ROOT)));
            case "suffix" -> text != null && (arg.isTextual() ? text.endsWith(arg.asText())
                    : text.toLowerCase(Locale.ROOT).endsWith(arg.get("equals-ignore-case").asText().toLowerCase(Locale.ROOT)));
            case "equals-ignore-case" -> text != null && text.equalsIgnoreCase(arg.asText());
            case "wildcard" -> text != null && wildcard(arg.asText(), text);
            case "anything-but" -> anythingBut(arg, v);
            case "numeric" -> v.isNumber() && numeric(arg, v.decimalValue());
            default -> false;
        };
    }

    private static boolean literal(JsonNode m, JsonNode v) {
        if (m.isNumber() && v.isNumber()) {
            return m.decimalValue().compareTo(v.decimalValue()) == 0;
        }
        return m.equals(v);
    }

    private static boolean anythingBut(JsonNode arg, JsonNode v) {
        if (arg.isObject()) {
            String text = v.isTextual() ? v.asText() : null;
            if (text == null) {
                return true;
            }
            return arg.has("prefix") ? !text.startsWith(arg.get("prefix").asText()) : !text.endsWith(arg.get("suffix").asText());
        }
        if (arg.isArray()) {
            for (JsonNode a : arg) {
                if (literal(a, v)) {
                    return false;
                }
            }
            return true;
        }
        return !literal(arg, v);
    }

    private static boolean numeric(JsonNode arg, BigDecimal v) {
        for (int i = 0; i < arg.size(); i += 2) {
            int c = v.compareTo(arg.get(i + 1).decimalValue());
            boolean ok = switch (arg.get(i).asText()) {
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case "=" -> c == 0;
                case ">" -> c > 0;
                default -> c >= 0;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** {@code *} matches any run of characters (none too); everything else itself. */
    private static boolean wildcard(String pattern, String text) {
        String[] parts = pattern.split("\\*", -1);
        if (parts.length == 1) {
            return text.equals(pattern);
        }
        if (!text.startsWith(parts[0])) {
            return false;
        }
        int at = parts[0].length();
        for (int i = 1; i < parts.length - 1; i++) {
            int found = text.indexOf(parts[i], at);
            if (found < 0) {
                return false;
            }
            at = found + parts[i].length();
        }
        String last = parts[parts.length - 1];
        return text.length() - last.length() >= at && text.endsWith(last);
    }
}
