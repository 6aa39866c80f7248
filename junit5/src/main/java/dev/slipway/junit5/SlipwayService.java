package dev.slipway.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A {@link RunningService} field that {@link SlipwayTest} deploys: built and run as the source's apprunner.yaml says. */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SlipwayService {
    /** A directory (relative to the working directory, the project's when Maven runs the tests) or a Git URL. */
    String source() default "";

    /** Instead of {@link #source}: an image to run, on a container backend ({@code backend = "docker"}). */
    String image() default "";

    /** The port an {@link #image} listens on (it also gets it in PORT). */
    String port() default "8080";

    /** The command that starts an {@link #image}; default: the image's own. */
    String command() default "";

    /** Run environment variables, {@code "NAME=value"}, over the ones apprunner.yaml sets. */
    String[] env() default {};

    /** Git branch to deploy; a plain directory is deployed as it is. */
    String branch() default "main";

    /** Service name (4-40 of A-Z a-z 0-9 - _); default: the field's name, made unique with a suffix. */
    String name() default "";

    /** An HTTP path that must answer 2xx before the service counts as ready; default: none beyond App Runner's health check. */
    String healthCheck() default "";

    /** The compute backend: {@code local} (processes, the default) or {@code docker} (with slipway-backend-docker). */
    String backend() default "local";
}
