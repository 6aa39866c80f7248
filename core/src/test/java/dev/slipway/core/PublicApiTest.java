package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of core, written down in {@code core/api/slipway-core.api} (as OkHttp keeps an api file): every public
 * type outside the {@code internal} packages with its public and protected members. A change of the API is a change
 * of that file, made on purpose and seen in review: when this fails, read the difference, and if it is meant, write
 * the file anew with {@code mvn -pl core test -Dtest=PublicApiTest -Dslipway.api.write=true}.
 */
class PublicApiTest {
    private static final Path API_FILE = Path.of("api/slipway-core.api");

    @Test
    void thePublicApiIsTheOneWrittenDown() throws Exception {
        List<String> api = publicApi();
        if (Boolean.getBoolean("slipway.api.write")) {
            Files.createDirectories(API_FILE.getParent());
            Files.write(API_FILE, api);
        }
        assertThat(api).as("core's public API against " + API_FILE.toAbsolutePath() + " (see this test's javadoc)")
                .containsExactlyElementsOf(Files.readAllLines(API_FILE));
    }

    @Test
    void noPublicTypeIsInAnInternalPackageOfTheApiFile() throws Exception {
        assertThat(publicApi()).noneMatch(line -> line.contains(".internal."));
    }

    private static List<String> publicApi() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(Slipway.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names;
        try (Stream<Path> files = Files.walk(classes)) {
            names = files.filter(f -> f.toString().endsWith(".class")).map(f -> classes.relativize(f).toString())
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                    .filter(n -> !n.contains(".internal.")).sorted().toList();
        }
        List<String> lines = new ArrayList<>();
        for (String name : names) {
            Class<?> type = Class.forName(name, false, PublicApiTest.class.getClassLoader());
            if (!Modifier.isPublic(type.getModifiers()) || type.isAnonymousClass() || type.isSynthetic()
                    || type.getEnclosingClass() != null && !Modifier.isPublic(type.getEnclosingClass().getModifiers())) {
                continue;
            }
            lines.add(kind(type) + " " + type.getTypeName());
            List<String> members = new ArrayList<>();
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                if (visible(c.getModifiers()) && !c.isSynthetic()) {
                    members.add("  new(" + params(c.getGenericParameterTypes()) + ")");
                }
            }
            for (Method m : type.getDeclaredMethods()) {
                if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                    members.add("  " + (Modifier.isStatic(m.getModifiers()) ? "static " : "") + m.getGenericReturnType().getTypeName()
                            + " " + m.getName() + "(" + params(m.getGenericParameterTypes()) + ")");
                }
            }
            for (Field f : type.getDeclaredFields()) {
                if (visible(f.getModifiers()) && !f.isSynthetic()) {
                    members.add("  " + (Modifier.isStatic(f.getModifiers()) ? "static " : "") + f.getGenericType().getTypeName() + " " + f.getName());
                }
            }
            members.sort(null);
            lines.addAll(members);
        }
        return lines;
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String kind(Class<?> type) {
        return type.isRecord() ? "record" : type.isEnum() ? "enum" : type.isAnnotation() ? "@interface"
                : type.isInterface() ? "interface" : "class";
    }

    private static String params(java.lang.reflect.Type[] types) {
        return String.join(", ", Arrays.stream(types).map(java.lang.reflect.Type::getTypeName).toList());
    }
}
