package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real browser's WebSocket through the router: headless Chromium loads the echo app's page from a service's own port
 * and from its domain on the router's port ({@code *.localhost} resolves to this machine in Chromium), and the page's
 * script sends three messages over a WebSocket of the page's host and shows the answers; then the page's socket is
 * closed by the browser, as a user leaving would.
 */
class BrowserWebSocketIT {
    @TempDir
    Path tmp;

    @Test
    void aPagesWebSocketEchoesThroughTheRouter() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("ws-app"));
        Files.writeString(app.resolve("server.py"), WebSocketDeploymentIT.ECHO_APP);
        Files.writeString(app.resolve("apprunner.yaml"), "version: 1.0\nruntime: python3\nrun:\n  command: python3 server.py\n");
        try (Slipway slipway = Slipway.builder().routerPort(0).stateDir(tmp.resolve("state")).allowedSourceDirectories(List.of(tmp)).build()) {
            var created = slipway.createService(CreateServiceRequest.builder().serviceName("browser-ws").sourceConfiguration(
                    SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"), null, null))).build());
            created.operation().awaitSuccess(Duration.ofMinutes(1));
            ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
                    .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage");
            WebDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
                    .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort().build(), options);
            try {
                for (String url : List.of("http://127.0.0.1:" + slipway.directPort(created.service().serviceArn()) + "/",
                        "http://" + created.service().serviceUrl().replaceFirst(":.*", "") + ":" + slipway.routerPort().orElseThrow() + "/")) {
                    browser.get(url);
                    await().atMost(Duration.ofSeconds(20)).until(() -> browser.findElements(By.cssSelector("#log li")).size() == 3);
                    List<String> echoes = browser.findElements(By.cssSelector("#log li")).stream().map(WebElement::getText).toList();
                    assertThat(echoes).as(url).hasSize(3).allMatch(e -> e.matches("(one|two|three) from pid \\d+"));
                    assertThat(echoes.stream().map(e -> e.substring(0, e.indexOf(' ')))).containsExactly("one", "two", "three");
                    assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("open");
                }
            } finally {
                browser.quit();
            }
        }
    }
}
