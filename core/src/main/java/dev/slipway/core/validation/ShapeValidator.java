package dev.slipway.core.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.model.Shapes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Validates requests against the constraints of the App Runner API model (apprunner-2020-05-15.json): required
 * members, string lengths, numeric ranges, patterns and enums. Messages follow the AWS form
 * ({@code Value 'ab' at 'serviceName' failed to satisfy constraint: Member must have length greater than or equal
 * to 4}); values of sensitive shapes are never echoed.
 */
public final class ShapeValidator {
    private static final ShapeValidator INSTANCE = new ShapeValidator();

    /**
     * Slipway's extensions of the model's patterns (docs/api-compatibility.md): an ImageIdentifier may also be any plain
     * Docker reference ({@code nginx:1.27}, {@code 127.0.0.1:5000/team/app:1}, {@code name@sha256:...}).
     */
    private static final Map<String, Pattern> EXTENSIONS = Map.of("ImageIdentifier", Pattern.compile(
            "(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
                    + "(?::\\w[\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?"));

    private final JsonNode shapes;
    private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

    private ShapeValidator() {
        try (InputStream in = ShapeValidator.class.getResourceAsStream("/dev/slipway/core/apprunner-2020-05-15.json")) {
            shapes = new ObjectMapper().readTree(in).get("shapes");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the App Runner API model", e);
        }
    }

    public static ShapeValidator instance() {
        return INSTANCE;
    }

    /** The model's definition of a shape, e.g. {@code CreateServiceRequest}. */
    public JsonNode shape(String name) {
        JsonNode s = shapes.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no shape " + name + " in the API model");
        }
        return s;
    }

    /** Validates a request record (members named as in the model) against shape {@code shapeName}. */
    public void validate(String shapeName, Object request) {
        validate(shapeName, Shapes.mapper().valueToTree(request));
    }

    /** Validates a JSON document against shape {@code shapeName}; throws {@link InvalidRequestException} on the first violations. */
    public void validate(String shapeName, JsonNode value) {
        List<String> errors = new ArrayList<>();
        check(shapeName, value, "", errors);
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors.size() + " validation error" + (errors.size() > 1 ? "s" : "")
                    + " detected: " + String.join("; ", errors));
        }
    }

    private void check(String shapeName, JsonNode value, String path, List<String> errors) {
        JsonNode shape = shape(shapeName);
        String type = shape.path("type").asText();
        boolean sensitive = shape.path("sensitive").asBoolean(false);
        switch (type) {
            case "structure" -> {
                if (!value.isObject()) {
                    errors.add(describe(value, path, sensitive) + "Member must be a structure");
                    return;
                }
                for (JsonNode required : shape.path("required")) {
                    JsonNode member = value.get(required.asText());
                    if (member == null || member.isNull()) {
                        errors.add("Value null at '" + join(path, required.asText()) + "' failed to satisfy constraint: Member must not be null");
                    }
                }
                JsonNode members = shape.path("members");
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    JsonNode member = members.get(field.getKey());
                    if (member == null) {
                        errors.add("Unknown member '" + join(path, field.getKey()) + "' in " + shapeName);
                    } else if (!field.getValue().isNull()) {
                        check(member.get("shape").asText(), field.getValue(), join(path, field.getKey()), errors);
                    }
                }
            }
            case "list" -> {
                if (!value.isArray()) {
                    errors.add(describe(value, path, sensitive) + "Member must be a list");
                    return;
                }
                checkLength(value.size(), shape, value, path, sensitive, errors);
                int i = 0;
                for (JsonNode element : value) {
                    check(shape.get("member").get("shape").asText(), element, path + "." + (++i) + ".member", errors);
                }
            }
            case "map" -> {
                if (!value.isObject()) {
                    errors.add(describe(value, path, sensitive) + "Member must be a map");
                    return;
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    String entryPath = path + "." + entry.getKey();
                    check(shape.get("key").get("shape").asText(), com.fasterxml.jackson.databind.node.TextNode.valueOf(entry.getKey()), entryPath + ".key", errors);
                    check(shape.get("value").get("shape").asText(), entry.getValue(), entryPath + ".value", errors);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    errors.add(describe(value, path, sensitive) + "Member must be a string");
                    return;
                }
                String s = value.asText();
                checkLength(s.codePointCount(0, s.length()), shape, value, path, sensitive, errors);
                if (shape.has("enum")) {
                    boolean found = false;
                    List<String> allowed = new ArrayList<>();
                    for (JsonNode e : shape.get("enum")) {
                        allowed.add(e.asText());
                        found |= e.asText().equals(s);
                    }
                    if (!found) {
                        errors.add(describe(value, path, sensitive) + "Member must satisfy enum value set: " + allowed);
                    }
                }
                if (shape.has("pattern")) {
                    String regex = shape.get("pattern").asText();
                    Pattern p = patterns.computeIfAbsent(regex, Pattern::compile);
                    Pattern extension = EXTENSIONS.get(shapeName);
                    if (!p.matcher(s).matches() && (extension == null || !extension.matcher(s).matches())) {
                        errors.add(describe(value, path, sensitive) + "Member must satisfy regular expression pattern: " + regex);
                    }
                }
            }
            case "integer", "long" -> {
                if (!value.isIntegralNumber()) {
                    errors.add(describe(value, path, sensitive) + "Member must be an integer");
                    return;
                }
                long n = value.asLong();
                if (shape.has("min") && n < shape.get("min").asLong()) {
                    errors.add(describe(value, path, sensitive) + "Member must have value greater than or equal to " + shape.get("min").asLong());
                }
                if (shape.has("max") && n > shape.get("max").asLong()) {
                    errors.add(describe(value, path, sensitive) + "Member must have value less than or equal to " + shape.get("max").asLong());
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    errors.add(describe(value, path, sensitive) + "Member must be a boolean");
                }
            }
            case "timestamp" -> {
                if (!value.isNumber()) {
                    errors.add(describe(value, path, sensitive) + "Member must be a timestamp in epoch seconds");
                }
            }
            default -> { }
        }
    }

    private void checkLength(long length, JsonNode shape, JsonNode value, String path, boolean sensitive, List<String> errors) {
        if (shape.has("min") && length < shape.get("min").asLong()) {
            errors.add(describe(value, path, sensitive) + "Member must have length greater than or equal to " + shape.get("min").asLong());
        }
        if (shape.has("max") && length > shape.get("max").asLong()) {
            errors.add(describe(value, path, sensitive) + "Member must have length less than or equal to " + shape.get("max").asLong());
        }
    }

    private static String describe(JsonNode value, String path, boolean sensitive) {
        if (sensitive) {
            return "Value at '" + path + "' failed to satisfy constraint: ";
        }
        String shown = value.isTextual() ? "'" + value.asText() + "'" : value.toString();
        if (shown.length() > 200) {
            shown = shown.substring(0, 200) + "...";
        }
        return "Value " + shown + " at '" + path + "' failed to satisfy constraint: ";
    }

    private static String join(String path, String member) {
        String lower = Character.toLowerCase(member.charAt(0)) + member.substring(1);
        return path.isEmpty() ? lower : path + "." + lower;
    }
}
