package dev.slipway.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class with Slipway services: its {@link SlipwayService} fields of type {@link RunningService} are deployed
 * before the tests that use them and deleted after. Static fields: one service for the class; instance fields: a
 * fresh service per test method. Same as {@code @ExtendWith(SlipwayExtension.class)}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SlipwayExtension.class)
public @interface SlipwayTest {
}
