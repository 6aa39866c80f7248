package dev.slipway.core.iam;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** The line each value of a JSON text starts on, by its JSON pointer: for errors that say where, in the file's own terms. */
final class JsonLines {
    private final Map<String, Integer> lines = new HashMap<>();

    private JsonLines() {
    }

    static JsonLines of(String json) {
        JsonLines l = new JsonLines();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            while (p.nextToken() != null) {
                JsonToken t = p.currentToken();
                if (t != JsonToken.FIELD_NAME && t != JsonToken.END_ARRAY && t != JsonToken.END_OBJECT) {
                    l.lines.putIfAbsent(p.getParsingContext().pathAsPointer().toString(), p.currentTokenLocation().getLineNr());
                }
            }
        } catch (IOException e) {
            // a text that is not JSON has no lines to give; the caller reports its parse error
        }
        return l;
    }

    /** The line of the value at {@code pointer}, or of the nearest enclosing value that has one; 0 if none. */
    int line(JsonPointer pointer) {
        for (JsonPointer p = pointer; p != null; p = p.head()) {
            Integer n = lines.get(p.toString());
            if (n != null) {
                return n;
            }
            if (p.matches()) {
                break;
            }
        }
        return 0;
    }
}
