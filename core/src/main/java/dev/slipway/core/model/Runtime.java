package dev.slipway.core.model;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** A managed runtime of a code service, as the API model's Runtime enum names it, with its apprunner.yaml name. */
public enum Runtime {
    PYTHON_3("python3"), NODEJS_12("nodejs12"), NODEJS_14("nodejs14"), CORRETTO_8("corretto8"),
    CORRETTO_11("corretto11"), NODEJS_16("nodejs16"), GO_1("go1"), DOTNET_6("dotnet6"), PHP_81("php81"),
    RUBY_31("ruby31"), PYTHON_311("python311"), NODEJS_18("nodejs18"), NODEJS_22("nodejs22");

    private final String configName;

    Runtime(String configName) {
        this.configName = configName;
    }

    /** The name used by the {@code runtime} key of apprunner.yaml, e.g. {@code python3}. */
    public String configName() {
        return configName;
    }

    /** The apprunner.yaml names of all runtimes, by language and then version ({@code corretto8, corretto11, dotnet6 ...}). */
    public static List<String> configNamesInOrder() {
        return Arrays.stream(values()).map(Runtime::configName).sorted(Comparator
                .comparing((String n) -> n.replaceAll("\\d+$", ""))
                .thenComparingInt(n -> Integer.parseInt(n.replaceAll("^\\D+", "")))).toList();
    }

    /** The runtime whose apprunner.yaml name is {@code name} (case-insensitive). */
    public static Optional<Runtime> fromConfigName(String name) {
        return Arrays.stream(values()).filter(r -> r.configName.equalsIgnoreCase(name.trim())).findFirst();
    }
}
