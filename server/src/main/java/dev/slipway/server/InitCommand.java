package dev.slipway.server;

import dev.slipway.core.build.ConfigurationGuess;
import dev.slipway.core.source.AppRunnerYaml;
import dev.slipway.core.source.ConfigurationFileException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code slipway init}: writes the apprunner.yaml that {@code slipway up} would guess, for the user to edit. */
@Command(name = "init", mixinStandardHelpOptions = true,
        header = "Write an apprunner.yaml from what Slipway guesses about a directory.",
        description = {"Write an apprunner.yaml into DIR from what Slipway guesses about its files (the guess 'slipway up' "
                + "makes without one), so you can check and edit the build and start commands; where it cannot guess, a "
                + "commented skeleton to fill in. An existing apprunner.yaml is never overwritten.",
                "",
                "Example:",
                "  slipway init examples/python-hello"})
final class InitCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", defaultValue = ".", description = "The source directory (default: the current one).")
    Path dir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path file = dir.resolve(AppRunnerYaml.FILE_NAME);
        if (!Files.isDirectory(dir)) {
            err.println("slipway init: " + dir + " is not a directory");
            return 2;
        }
        if (Files.exists(file)) {
            err.println("slipway init: " + file + " exists already; edit it, or move it away to write a new one");
            return 2;
        }
        ConfigurationGuess guess;
        try {
            guess = ConfigurationGuess.of(dir);
        } catch (ConfigurationFileException e) {
            String skeleton = ConfigurationGuess.skeleton();
            AppRunnerYaml.parse(skeleton); // what Slipway writes, Slipway reads
            Files.writeString(file, skeleton);
            out.println("Slipway cannot guess how to build and run " + dir + "; wrote " + file
                    + " to fill in (the runtime and the two commands):");
            out.println();
            out.print(skeleton);
            return 0;
        }
        String yaml = "# Written by slipway init from " + guess.basis() + "; check the commands.\n"
                + "# Reference: https://docs.aws.amazon.com/apprunner/latest/dg/config-file-ref.html\n" + guess.toYaml();
        AppRunnerYaml.parse(yaml); // what Slipway writes, Slipway reads
        Files.writeString(file, yaml);
        out.println("Wrote " + file + " (" + guess.describe() + "):");
        out.println();
        out.print(yaml);
        return 0;
    }
}
