package dev.slipway.core.iam;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.core.InvalidRequestException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IAM identity policy, in IAM's JSON grammar: {@code Version}, {@code Statement} (one or a list) of {@code Sid},
 * {@code Effect} ({@code Allow} or {@code Deny}), {@code Action} or {@code NotAction} (with {@code *} and {@code ?}
 * wildcards, case-insensitive), {@code Resource} or {@code NotResource} (ARNs with wildcards and policy variables such
 * as {@code ${aws:username}}), and {@code Condition} ({@link Conditions}: the operators, {@code ...IfExists},
 * {@code ForAnyValue:} and {@code ForAllValues:}). Checked when read: a mistake is an {@link InvalidRequestException}
 * naming where it is (the JSON path and the line) and what is wrong.
 */
public final class PolicyDocument {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> VERSIONS = Set.of("2012-10-17", "2008-10-17");
    private static final Set<String> TOP = Set.of("Version", "Id", "Statement");
    private static final Set<String> STATEMENT = Set.of("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition");
    private static final Pattern ACTION = Pattern.compile("\\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    private final String name;
    private final List<Statement> statements;
    private final String json;

    /** One statement, checked. */
    record Statement(String id, boolean allow, List<String> actions, boolean notAction, List<String> resources,
                     boolean notResource, List<Conditions.Condition> conditions) {
    }

    private PolicyDocument(String name, List<Statement> statements, String json) {
        this.name = name;
        this.statements = List.copyOf(statements);
        this.json = json;
    }

    /** Reads and checks a policy named {@code name} (for messages and decisions). */
    public static PolicyDocument parse(String name, String json) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("Policy " + name + " is not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ")");
        }
        return from(name, tree, JsonPointer.empty(), JsonLines.of(json), "Policy " + name);
    }

    /** A policy read from {@code node}, at {@code at} of a larger document whose lines are {@code lines}. */
    static PolicyDocument from(String name, JsonNode node, JsonPointer at, JsonLines lines, String where) {
        Reader r = new Reader(lines, where);
        if (node == null || !node.isObject()) {
            throw r.invalid(at, "a policy must be a JSON object with a Statement");
        }
        r.known(node, at, TOP);
        JsonNode version = node.get("Version");
        if (version != null && !(version.isTextual() && VERSIONS.contains(version.asText()))) {
            throw r.invalid(at.append(JsonPointer.compile("/Version")), "Version must be \"2012-10-17\" (or the older \"2008-10-17\")");
        }
        JsonNode st = node.get("Statement");
        if (st == null || !(st.isObject() || st.isArray() && !st.isEmpty())) {
            throw r.invalid(at, "a policy needs a Statement: an object, or a list of them");
        }
        List<Statement> statements = new ArrayList<>();
        if (st.isObject()) {
            statements.add(statement(r, st, at.append(JsonPointer.compile("/Statement")), 0));
        } else {
            for (int i = 0; i < st.size(); i++) {
                statements.add(statement(r, st.get(i), at.append(JsonPointer.compile("/Statement/" + i)), i));
            }
        }
        return new PolicyDocument(name, statements, node.toString());
    }

    private static Statement statement(Reader r, JsonNode s, JsonPointer at, int index) {
        if (!s.isObject()) {
            throw r.invalid(at, "a statement must be an object");
        }
        if (s.has("Principal") || s.has("NotPrincipal")) {
            throw r.invalid(at, "an identity policy's statement has no Principal (it applies to whom the policy is attached to)");
        }
        r.known(s, at, STATEMENT);
        JsonNode effect = s.get("Effect");
        if (effect == null || !effect.isTextual() || !(effect.asText().equals("Allow") || effect.asText().equals("Deny"))) {
            throw r.invalid(at.append(JsonPointer.compile("/Effect")), "Effect must be \"Allow\" or \"Deny\"");
        }
        if (s.has("Action") == s.has("NotAction")) {
            throw r.invalid(at, "a statement has exactly one of Action and NotAction");
        }
        if (s.has("Resource") == s.has("NotResource")) {
            throw r.invalid(at, "a statement has exactly one of Resource and NotResource");
        }
        String actionField = s.has("Action") ? "Action" : "NotAction";
        List<String> actions = r.strings(s.get(actionField), at.append(JsonPointer.compile("/" + actionField)));
        for (int i = 0; i < actions.size(); i++) {
            if (!ACTION.matcher(actions.get(i)).matches()) {
                throw r.invalid(at.append(JsonPointer.compile("/" + actionField)), "'" + actions.get(i)
                        + "' is not an action: service:Action, with * and ? as wildcards (apprunner:Describe*), or *");
            }
        }
        String resourceField = s.has("Resource") ? "Resource" : "NotResource";
        List<String> resources = r.strings(s.get(resourceField), at.append(JsonPointer.compile("/" + resourceField)));
        for (String resource : resources) {
            if (!resource.equals("*") && !resource.startsWith("arn:")) {
                throw r.invalid(at.append(JsonPointer.compile("/" + resourceField)), "'" + resource
                        + "' is not a resource: an ARN (arn:aws:apprunner:<region>:<account>:service/<name>/*) or *");
            }
        }
        List<Conditions.Condition> conditions = s.has("Condition")
                ? Conditions.read(s.get("Condition"), at.append(JsonPointer.compile("/Condition")), r) : List.of();
        String id = s.hasNonNull("Sid") ? s.get("Sid").asText() : "Statement[" + index + "]";
        return new Statement(id, effect.asText().equals("Allow"), actions, actionField.equals("NotAction"), resources,
                resourceField.equals("NotResource"), conditions);
    }

    /** Reads parts of a policy, and words its mistakes with their place. */
    static final class Reader {
        private final JsonLines lines;
        private final String where;

        Reader(JsonLines lines, String where) {
            this.lines = lines;
            this.where = where;
        }

        String where() {
            return where;
        }

        InvalidRequestException invalid(JsonPointer at, String why) {
            int line = lines.line(at);
            String path = at.toString().isEmpty() ? "" : " at " + at.toString().substring(1).replace('/', '.');
            return new InvalidRequestException(where + " is not valid" + path + (line > 0 ? " (line " + line + ")" : "") + ": " + why);
        }

        void known(JsonNode object, JsonPointer at, Set<String> names) {
            for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!names.contains(field)) {
                    throw invalid(at.append(JsonPointer.compile("/" + field.replace("~", "~0").replace("/", "~1"))),
                            "unknown element " + field + " (known: " + String.join(", ", new java.util.TreeSet<>(names)) + ")");
                }
            }
        }

        /** A string, or a non-empty list of strings. */
        List<String> strings(JsonNode v, JsonPointer at) {
            if (v.isTextual()) {
                return List.of(v.asText());
            }
            if (v.isArray() && !v.isEmpty()) {
                List<String> out = new ArrayList<>();
                for (JsonNode e : v) {
                    if (!e.isTextual()) {
                        throw invalid(at, "must be a string or a list of strings");
                    }
                    out.add(e.asText());
                }
                return out;
            }
            throw invalid(at, "must be a string or a non-empty list of strings");
        }
    }

    public String name() {
        return name;
    }

    /** The policy as JSON (compact). */
    public String json() {
        return json;
    }

    /**
     * What this policy says about {@code request}: the first statement that explicitly denies it, else the first that
     * allows it, else nothing ({@link Decision#IMPLICIT_DENY}).
     */
    public Decision evaluate(RequestContext request) {
        Decision allowed = Decision.IMPLICIT_DENY;
        for (Statement s : statements) {
            if (applies(s, request)) {
                if (!s.allow()) {
                    return new Decision(Decision.Effect.EXPLICIT_DENY, name + " " + s.id());
                }
                if (!allowed.allowed()) {
                    allowed = new Decision(Decision.Effect.ALLOW, name + " " + s.id());
                }
            }
        }
        return allowed;
    }

    private static boolean applies(Statement s, RequestContext request) {
        boolean action = s.actions().stream().anyMatch(a -> Wildcards.matches(a, request.action(), true));
        if (action == s.notAction()) {
            return false;
        }
        boolean resource = s.resources().stream().anyMatch(p -> substitute(p, request)
                .map(pattern -> Wildcards.matches(pattern, request.resource(), false)).orElse(false));
        if (resource == s.notResource()) {
            return false;
        }
        return s.conditions().stream().allMatch(c -> c.test(request));
    }

    /**
     * {@code text} with its policy variables replaced by the request's values ({@code ${aws:username}}), and
     * {@code ${*}}, {@code ${?}}, {@code ${$}} by the literal character, escaped for {@link Wildcards}; empty when a
     * variable has no value in the request (then nothing matches).
     */
    static java.util.Optional<String> substitute(String text, RequestContext request) {
        if (text.indexOf('$') < 0 && text.indexOf('\\') < 0) {
            return java.util.Optional.of(text);
        }
        StringBuilder out = new StringBuilder();
        Matcher m = VARIABLE.matcher(text);
        int last = 0;
        while (m.find()) {
            out.append(Wildcards.escapeBackslashes(text.substring(last, m.start())));
            String name = m.group(1).trim();
            switch (name) {
                case "*", "?" -> out.append('\\').append(name);
                case "$" -> out.append('$');
                default -> {
                    java.util.Optional<String> value = request.variable(name);
                    if (value.isEmpty()) {
                        return java.util.Optional.empty();
                    }
                    out.append(Wildcards.escape(value.get()));
                }
            }
            last = m.end();
        }
        out.append(Wildcards.escapeBackslashes(text.substring(last)));
        return java.util.Optional.of(out.toString());
    }

    @Override
    public String toString() {
        return "PolicyDocument[" + name + ", " + statements.size() + " statement(s)]";
    }

    /** The values of a statement element, for tests and messages. */
    List<Statement> statements() {
        return statements;
    }
}
