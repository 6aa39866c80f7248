package dev.slipway.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The embedding example works, on both sample apps as they are shipped. */
class EmbeddedExampleTest {
    @Test
    void pythonHelloGreetsJane() throws Exception {
        assertThat(EmbeddedExample.run(Path.of("..", "python-hello"))).isEqualTo("Hello, Jane!");
    }

    @Test
    void nodeHelloGreetsJane() throws Exception {
        assertThat(EmbeddedExample.run(Path.of("..", "node-hello"))).isEqualTo("Hello from Node.js, Jane!");
    }
}
