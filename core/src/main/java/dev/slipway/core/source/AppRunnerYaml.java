package dev.slipway.core.source;

import dev.slipway.core.build.BuildPlan;
import dev.slipway.core.model.Runtime;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Parses apprunner.yaml as App Runner's configuration file reference defines it: {@code version} and {@code runtime}
 * (required); {@code build.commands.pre-build/build/post-build} and {@code build.env}; {@code run.runtime-version},
 * {@code run.pre-run}, {@code run.command} (required), {@code run.network.port/env}, {@code run.env} and
 * {@code run.secrets} ({@code name} and {@code value-from}, an ARN of a secret or parameter of Slipway's secret store,
 * read when the instances start); and Slipway's own top-level {@code slipway} key, which App Runner ignores:
 * {@code slipway.http2} ({@code true}: the app speaks HTTP/2 cleartext, e.g. a gRPC server). Every error names the line.
 */
public final class AppRunnerYaml {
    public static final String FILE_NAME = "apprunner.yaml";

    private AppRunnerYaml() {
    }

    /** Parses the text of an apprunner.yaml into a build plan, or throws {@link ConfigurationFileException}. */
    public static BuildPlan parse(String text) {
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            throw new ConfigurationFileException(line(e.getProblemMark().getLine()) + "not valid YAML: " + e.getProblem());
        }
        if (root == null) {
            throw new ConfigurationFileException(FILE_NAME + " is empty; it needs at least 'version', 'runtime' and 'run.command'");
        }
        Map<String, NodeTuple> top = mapping(root, "the top level", Set.of("version", "runtime", "build", "run", "slipway"));
        String version = requiredScalar(top, "version", root);
        if (!version.equals("1.0") && !version.equals("1")) {
            throw new ConfigurationFileException(at(top.get("version").getValueNode()) + "'version' must be 1.0, not " + version);
        }
        String runtimeName = requiredScalar(top, "runtime", root);
        Runtime runtime = Runtime.fromConfigName(runtimeName).orElseThrow(() -> new ConfigurationFileException(
                at(top.get("runtime").getValueNode()) + "unknown runtime '" + runtimeName + "'; use one of "
                        + String.join(", ", Runtime.configNamesInOrder())));

        List<String> pre = List.of();
        List<String> build = List.of();
        List<String> post = List.of();
        Map<String, String> buildEnv = Map.of();
        if (top.containsKey("build")) {
            Node buildNode = top.get("build").getValueNode();
            Map<String, NodeTuple> b = mapping(buildNode, "'build'", Set.of("commands", "env"));
            if (!b.containsKey("commands")) {
                throw new ConfigurationFileException(at(top.get("build").getKeyNode()) + "'build.commands' is required when 'build' is present");
            }
            Node commandsNode = b.get("commands").getValueNode();
            Map<String, NodeTuple> c = mapping(commandsNode, "'build.commands'", Set.of("pre-build", "build", "post-build"));
            if (!c.containsKey("build")) {
                throw new ConfigurationFileException(at(b.get("commands").getKeyNode()) + "'build.commands.build' is required");
            }
            pre = commands(c.get("pre-build"), "build.commands.pre-build");
            build = commands(c.get("build"), "build.commands.build");
            post = commands(c.get("post-build"), "build.commands.post-build");
            buildEnv = env(b.get("env"), "build.env");
        }

        if (!top.containsKey("run")) {
            throw new ConfigurationFileException(at(root) + "'run' is required, with at least 'run.command'");
        }
        Node runNode = top.get("run").getValueNode();
        Map<String, NodeTuple> r = mapping(runNode, "'run'", Set.of("runtime-version", "pre-run", "command", "network", "env", "secrets"));
        Optional<String> runtimeVersion = optionalScalar(r, "runtime-version");
        runtimeVersion.ifPresent(v -> {
            if (!v.matches("\\d+(\\.\\d+){0,2}")) {
                throw new ConfigurationFileException(at(r.get("runtime-version").getValueNode())
                        + "'run.runtime-version' must be major[.minor[.patch]], e.g. 3.11, not " + v);
            }
        });
        String command = requiredScalar(r, "command", runNode);
        int port = BuildPlan.DEFAULT_PORT;
        Optional<String> portEnv = Optional.empty();
        if (r.containsKey("network")) {
            Map<String, NodeTuple> n = mapping(r.get("network").getValueNode(), "'run.network'", Set.of("port", "env"));
            Optional<String> portText = optionalScalar(n, "port");
            if (portText.isPresent()) {
                port = parsePort(portText.get(), at(n.get("port").getValueNode()) + "'run.network.port' ");
            }
            portEnv = optionalScalar(n, "env");
        }
        Map<String, String> runEnv = env(r.get("env"), "run.env");
        List<String> preRun = commands(r.get("pre-run"), "run.pre-run");
        Map<String, String> runSecrets = secrets(r.get("secrets"));
        boolean http2 = false;
        if (top.containsKey("slipway")) {
            Map<String, NodeTuple> x = mapping(top.get("slipway").getValueNode(), "'slipway'", Set.of("http2"));
            http2 = bool(x, "http2", "slipway.http2");
        }
        return new BuildPlan(runtime, runtimeVersion, pre, build, post, buildEnv, command, port, portEnv, runEnv, runSecrets, preRun, http2);
    }

    /** A YAML boolean ({@code true} or {@code false}, any case), false when absent. */
    private static boolean bool(Map<String, NodeTuple> m, String key, String what) {
        Optional<String> v = optionalScalar(m, key);
        if (v.isEmpty()) {
            return false;
        }
        return switch (v.get().trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigurationFileException(at(m.get(key).getValueNode()) + "'" + what + "' must be true or false, not '"
                    + v.get() + "'");
        };
    }

    /** Parses a port number 1-65535, or throws with {@code prefix} naming where it came from. */
    public static int parsePort(String text, String prefix) {
        try {
            int p = Integer.parseInt(text.trim());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error
        }
        throw new ConfigurationFileException(prefix + "must be a port number from 1 to 65535, not '" + text + "'");
    }

    private static Map<String, NodeTuple> mapping(Node node, String what, Set<String> allowed) {
        if (!(node instanceof MappingNode m)) {
            throw new ConfigurationFileException(at(node) + what + " must be a mapping of keys to values");
        }
        Map<String, NodeTuple> result = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String key = ((ScalarNode) t.getKeyNode()).getValue();
            if (!allowed.contains(key)) {
                throw new ConfigurationFileException(at(t.getKeyNode()) + "unknown key '" + key + "' in " + what
                        + "; allowed keys: " + allowed.stream().sorted().collect(Collectors.joining(", ")));
            }
            result.put(key, t);
        }
        return result;
    }

    private static String requiredScalar(Map<String, NodeTuple> m, String key, Node parent) {
        return optionalScalar(m, key).orElseThrow(() -> new ConfigurationFileException(at(parent) + "'" + key + "' is required"));
    }

    private static Optional<String> optionalScalar(Map<String, NodeTuple> m, String key) {
        NodeTuple t = m.get(key);
        if (t == null) {
            return Optional.empty();
        }
        if (!(t.getValueNode() instanceof ScalarNode s)) {
            throw new ConfigurationFileException(at(t.getValueNode()) + "'" + key + "' must be a single value");
        }
        return s.getValue().isBlank() ? Optional.empty() : Optional.of(s.getValue());
    }

    private static List<String> commands(NodeTuple t, String what) {
        if (t == null) {
            return List.of();
        }
        Node v = t.getValueNode();
        if (v instanceof ScalarNode s) {
            return s.getValue().isBlank() ? List.of() : List.of(s.getValue());
        }
        if (!(v instanceof SequenceNode seq)) {
            throw new ConfigurationFileException(at(v) + "'" + what + "' must be a list of commands");
        }
        List<String> out = new ArrayList<>();
        for (Node item : seq.getValue()) {
            if (!(item instanceof ScalarNode s)) {
                throw new ConfigurationFileException(at(item) + "each entry of '" + what + "' must be a command string");
            }
            out.add(s.getValue());
        }
        return List.copyOf(out);
    }

    private static Map<String, String> env(NodeTuple t, String what) {
        if (t == null) {
            return Map.of();
        }
        Node v = t.getValueNode();
        if (!(v instanceof SequenceNode seq)) {
            throw new ConfigurationFileException(at(v) + "'" + what + "' must be a list of '- name: ... value: ...' entries");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Node item : seq.getValue()) {
            Map<String, NodeTuple> e = mapping(item, "an entry of '" + what + "'", Set.of("name", "value"));
            String name = requiredScalar(e, "name", item);
            String value = e.containsKey("value") && e.get("value").getValueNode() instanceof ScalarNode s ? s.getValue() : "";
            out.put(name, value);
            dev.slipway.core.build.EnvironmentRules.problem(Map.of(name, value)).ifPresent(p -> {
                throw new ConfigurationFileException(at(item) + "'" + what + "': " + p);
            });
        }
        return out;
    }

    /** An ARN of a Secrets Manager secret (with or without its JSON key suffix) or of an SSM parameter. */
    private static final java.util.regex.Pattern SECRET_ARN = java.util.regex.Pattern.compile(
            "arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\\d{12}:secret:.+|ssm:[a-z0-9-]+:\\d{12}:parameter/.+)");

    /**
     * Reads {@code run.secrets} ({@code - name: ... value-from: <ARN>}): each is a reference to a secret or parameter of
     * Slipway's secret store, read when the instances start.
     */
    private static Map<String, String> secrets(NodeTuple t) {
        Map<String, String> out = new LinkedHashMap<>();
        if (t == null) {
            return out;
        }
        Node v = t.getValueNode();
        if (!(v instanceof SequenceNode seq)) {
            throw new ConfigurationFileException(at(v) + "'run.secrets' must be a list of '- name: ... value-from: ...' entries");
        }
        for (Node item : seq.getValue()) {
            Map<String, NodeTuple> e = mapping(item, "an entry of 'run.secrets'", Set.of("name", "value-from"));
            String name = requiredScalar(e, "name", item);
            String from = requiredScalar(e, "value-from", item);
            dev.slipway.core.build.EnvironmentRules.problem(Map.of(name, "")).ifPresent(p -> {
                throw new ConfigurationFileException(at(item) + "'run.secrets': " + p);
            });
            if (!SECRET_ARN.matcher(from).matches()) {
                throw new ConfigurationFileException(at(e.get("value-from").getValueNode()) + "'run.secrets' entry " + name
                        + ": 'value-from' must be the ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:"
                        + "<account>:secret:<name>) or of an SSM parameter (arn:aws:ssm:<region>:<account>:parameter/<name>)");
            }
            out.put(name, from);
        }
        return out;
    }

    private static String at(Node node) {
        return line(node.getStartMark().getLine());
    }

    private static String line(int zeroBased) {
        return FILE_NAME + " line " + (zeroBased + 1) + ": ";
    }
}
