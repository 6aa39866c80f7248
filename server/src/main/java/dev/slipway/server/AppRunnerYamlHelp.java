package dev.slipway.server;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code slipway help apprunner.yaml}: the configuration file's reference, where a user is (no repository path). */
@Command(name = "apprunner.yaml", header = "The apprunner.yaml reference: every key Slipway reads (a help topic).",
        description = {"apprunner.yaml, at the root of the source, tells App Runner (and Slipway) how to build and run it. "
                + "Slipway reads it as App Runner's configuration file reference defines it, and refuses anything else "
                + "with the line number. 'slipway init DIR' writes one to edit.",
                "",
                "Keys:",
                "  version                     required: 1.0",
                "  runtime                     required: python3, python311, nodejs12 ...",
                "                              nodejs22, corretto8, corretto11, go1,",
                "                              dotnet6, php81, ruby31",
                "  build.commands.pre-build    commands before the build",
                "  build.commands.build        required with build: the build commands",
                "  build.commands.post-build   commands after the build, e.g. tests",
                "  build.env                   - name: / value: pairs for the build commands",
                "  run.runtime-version         major[.minor[.patch]] of the runtime",
                "  run.pre-run                 commands after the build that prepare what",
                "                              the app runs in",
                "  run.command                 required: the start command; the app",
                "                              listens on $PORT",
                "  run.network.port            the port the app listens on in a container",
                "                              (default 8080)",
                "  run.network.env             another variable that also receives the port",
                "  run.env                     - name: / value: pairs for the app",
                "  run.secrets                 - name: / value-from: ARN pairs (refused:",
                "                              give values with RuntimeEnvironmentSecrets",
                "                              or slipway up --env instead)",
                "",
                "Example:",
                "  version: 1.0",
                "  runtime: python3",
                "  build:",
                "    commands:",
                "      build:",
                "        - pip install -r requirements.txt",
                "  run:",
                "    command: python app.py",
                "    network:",
                "      port: 8000",
                "      env: APP_PORT"})
final class AppRunnerYamlHelp implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
