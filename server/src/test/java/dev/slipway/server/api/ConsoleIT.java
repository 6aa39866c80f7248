package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import dev.slipway.server.SlipwayJar;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web console in a real browser (Debian's chromium, headless, driven by Selenium) against a real {@code slipway
 * server}: an administrator signs in, creates a service from the form (a mistake shown next to its field first), sees
 * it reach RUNNING with its deployment log following, sees the requests chart move after traffic, pauses, resumes and
 * deletes it by typing its name; a read-only principal sees no button and is refused when it posts a form anyway; a
 * form posted from another origin is refused. Screenshots of each page go to {@code target/failsafe-reports/console}.
 */
class ConsoleIT {
    private static final String ADMIN_KEY = "AKIACONSOLEADMIN0001";
    private static final String ADMIN_SECRET = "console-admin-secret-0123456789";
    private static final String READER_KEY = "AKIACONSOLEREADER001";
    private static final String READER_SECRET = "console-reader-secret-0123456789";
    private static final Path SHOTS = Path.of("target", "failsafe-reports", "console");

    private static Path tmp;
    private static SlipwayJar server;
    private static String console;
    private static int apiPort;
    private static HttpProbe router;
    private WebDriver browser;
    private String test;

    @BeforeAll
    static void server() throws Exception {
        tmp = Files.createTempDirectory("slipway-console-it");
        TestApps.writePythonGreeter(tmp.resolve("app"), "Hello", "Console");
        Path principals = Files.writeString(tmp.resolve("principals.json"), """
                {"principals": [{"name": "viewer", "accessKeys": [{"accessKeyId": "%s", "secretAccessKey": "%s"}],
                                 "managedPolicies": ["AWSAppRunnerReadOnlyAccess"]}]}""".formatted(READER_KEY, READER_SECRET));
        server = SlipwayJar.start(Map.of("SLIPWAY_ACCESS_KEY_ID", ADMIN_KEY, "SLIPWAY_SECRET_ACCESS_KEY", ADMIN_SECRET),
                "server", "--principals", principals.toString(), "--allow-source-dir", tmp.toString(), "--state-dir",
                tmp.resolve("state").toString(), "--master-key-file", tmp.resolve("master.key").toString(), "--api-port", "0",
                "--router-port", "0");
        Matcher ports = server.awaitLine(Pattern.compile("Slipway API listening on http://127\\.0\\.0\\.1:(\\d+) .*router on 127\\.0\\.0\\.1:(\\d+).*"),
                Duration.ofMinutes(1));
        apiPort = Integer.parseInt(ports.group(1));
        router = new HttpProbe(Integer.parseInt(ports.group(2)));
        console = "http://127.0.0.1:" + apiPort + "/console";
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() throws Exception {
        server.sigterm();
        server.awaitExit(Duration.ofMinutes(1));
        Files.write(SHOTS.resolve("server.log"), server.output()); // with the screenshots, for whoever reads the report
        dev.slipway.core.source.SourceFetcher.deleteTree(tmp);
    }

    @BeforeEach
    void browser(TestInfo info) {
        test = info.getTestMethod().orElseThrow().getName();
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new java.io.File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build(), options);
    }

    @AfterEach
    void close() {
        browser.quit();
    }

    @Test
    void anAdministratorCreatesWatchesPausesResumesAndDeletesAServiceInTheBrowser() throws Exception {
        signIn(ADMIN_KEY, ADMIN_SECRET);
        assertThat(browser.findElement(By.id("principal")).getText()).isEqualTo("slipway-admin");
        shot("services-empty");

        browser.findElement(By.id("create")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.id("repositoryUrl")).isEmpty()); // the form loaded
        fill("serviceName", "no");
        fill("repositoryUrl", tmp.resolve("app").toString());
        browser.findElement(By.id("submit")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.id("serviceName-error")).isEmpty()); // the answer loaded
        assertThat(browser.findElement(By.id("serviceName-error")).getText()).as("the model's rule, next to the field")
                .contains("serviceName").contains("length");
        assertThat(browser.findElement(By.id("serviceName")).getAttribute("aria-invalid")).isEqualTo("true");
        shot("create-invalid");
        fill("serviceName", "console-app");
        browser.findElement(By.id("submit")).click();

        await().atMost(Duration.ofSeconds(20)).until(() -> browser.getCurrentUrl().endsWith("/console/services/console-app"));
        await().atMost(Duration.ofMinutes(2)).until(() -> text("status").equals("RUNNING"));
        await().atMost(Duration.ofSeconds(20)).until(() -> text("log-deployment").contains("Build succeeded"));
        shot("service-running");
        String url = browser.findElement(By.id("url")).getText();

        for (int i = 0; i < 30; i++) {
            assertThat(router.get(url).body()).isEqualTo("Hello, Console!");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Double.parseDouble(
                browser.findElement(By.id("chart-requests")).getAttribute("data-total") == null ? "0"
                        : browser.findElement(By.id("chart-requests")).getAttribute("data-total")) >= 30);
        await().atMost(Duration.ofSeconds(20)).until(() -> text("log-application").contains("pid="));
        int samples = Integer.parseInt(browser.findElement(By.id("chart-requests")).getAttribute("data-samples"));
        for (int i = 0; i < 10; i++) {
            router.get(url);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Integer.parseInt(
                browser.findElement(By.id("chart-requests")).getAttribute("data-samples")) >= samples + 2);
        assertThat(browser.findElement(By.cssSelector("#chart-requests polyline")).getAttribute("points").split(" "))
                .as("a point per sample").hasSizeGreaterThanOrEqualTo(samples + 2);
        shot("service-metrics");

        browser.findElement(By.id("pause")).click();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> !text("flash").isEmpty());
        assertThat(text("flash")).isEqualTo("Pausing console-app.");
        await().atMost(Duration.ofMinutes(1)).until(() -> text("status").equals("PAUSED"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.id("resume")).isEmpty());
        shot("service-paused");
        browser.findElement(By.id("resume")).click();
        await().atMost(Duration.ofMinutes(1)).until(() -> text("status").equals("RUNNING"));
        assertThat(router.get(url).body()).isEqualTo("Hello, Console!");

        WebElement delete = browser.findElement(By.id("delete"));
        assertThat(delete.isEnabled()).as("until the name is typed").isFalse();
        fill("confirm", "console-app");
        assertThat(delete.isEnabled()).isTrue();
        delete.click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().endsWith("/console/services")); // the form's redirect
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> !text("flash").isEmpty());
        assertThat(text("flash")).isEqualTo("Deleting console-app.");
        await().atMost(Duration.ofMinutes(1)).until(() -> browser.findElements(By.cssSelector("#service-rows tr")).isEmpty());
        shot("services-after-delete");
        browser.findElement(By.linkText("Auto scaling")).click();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> browser.getCurrentUrl().endsWith("/console/auto-scaling")
                && browser.findElement(By.cssSelector("main table")).getText().contains("DefaultConfiguration"));
        shot("auto-scaling");
    }

    @Test
    void aReadOnlyPrincipalSeesNoButtonsAndIsRefusedWhenItPostsAFormAnyway() throws Exception {
        String arn = running("readonly-app");
        signIn(READER_KEY, READER_SECRET);
        assertThat(browser.findElements(By.id("create"))).isEmpty();
        browser.get(console + "/services/readonly-app");
        await().atMost(Duration.ofSeconds(20)).until(() -> text("status").equals("RUNNING"));
        assertThat(browser.findElements(By.cssSelector("#main form"))).as("no deploy, pause, resume or delete").isEmpty();
        shot("read-only-service");

        // the form the page did not offer, posted with the session's own CSRF token (taken from the sign-out form)
        ((JavascriptExecutor) browser).executeScript("""
                const f = document.createElement('form'); f.method = 'post'; f.action = '/console/services/readonly-app/pause';
                f.append(document.querySelector('input[name=csrf]').cloneNode()); document.body.append(f); f.submit();""");
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.id("flash")).isEmpty());
        assertThat(text("flash")).startsWith("AccessDeniedException").contains("apprunner:PauseService");
        assertThat(admin().ok("describe-service", "--service-arn", arn).at("/Service/Status").asText()).isEqualTo("RUNNING");
        admin().ok("delete-service", "--service-arn", arn);
    }

    @Test
    void aFormPostedFromAnotherOriginIsRefused() throws Exception {
        String arn = running("forged-app");
        signIn(ADMIN_KEY, ADMIN_SECRET);
        HttpServer attacker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] page = ("<!doctype html><html><body><form method=post action=\"" + console + "/services/forged-app/delete\">"
                + "<input type=hidden name=confirm value=forged-app><input type=hidden name=csrf value=guessed>"
                + "<button id=win type=submit>Win a prize</button></form></body></html>").getBytes(StandardCharsets.UTF_8);
        attacker.createContext("/", x -> {
            x.getResponseHeaders().set("Content-Type", "text/html");
            x.sendResponseHeaders(200, page.length);
            x.getResponseBody().write(page);
            x.close();
        });
        attacker.start();
        try {
            browser.get("http://127.0.0.1:" + attacker.getAddress().getPort() + "/");
            browser.findElement(By.id("win")).click();
            await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.id("refused")).isEmpty());
            assertThat(text("refused")).contains("posted from another site");
            shot("forged-post-refused");
        } finally {
            attacker.stop(0);
        }
        assertThat(admin().ok("describe-service", "--service-arn", arn).at("/Service/Status").asText()).isEqualTo("RUNNING");
        admin().ok("delete-service", "--service-arn", arn);
    }

    @Test
    void slipwayUpServesItsServiceReadOnlyToWhoFollowsTheLinkItPrints() throws Exception {
        SlipwayJar up = SlipwayJar.start(Map.of(), "up", tmp.resolve("app").toString(), "--name", "up-app", "--router-port", "0",
                "--https-port", "-1", "--console", "--state-dir", tmp.resolve("up-state").toString());
        try {
            String link = up.awaitLine(Pattern.compile(".*Console \\(read-only.*\\): (http://127\\.0\\.0\\.1:\\d+/console/sign-in#key=\\S+)"),
                    Duration.ofMinutes(1)).group(1);
            up.awaitLine(Pattern.compile("Service up-app is RUNNING at .*"), Duration.ofMinutes(2));
            browser.get(link);
            await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().endsWith("/console/services"));
            assertThat(browser.getCurrentUrl()).as("the key left the address bar").doesNotContain("secret");
            assertThat(text("principal")).isEqualTo("developer");
            assertThat(browser.findElement(By.cssSelector("#service-rows tr[data-service=up-app]")).getText()).contains("RUNNING");
            browser.get(link.replaceFirst("/console/sign-in#.*", "/console/services/up-app")); // the rows are replaced live
            await().atMost(Duration.ofSeconds(20)).until(() -> text("status").equals("RUNNING"));
            await().atMost(Duration.ofSeconds(20)).until(() -> text("log-deployment").contains("Build succeeded"));
            assertThat(browser.findElements(By.cssSelector("#main form"))).as("read-only").isEmpty();
            shot("up-console");
        } finally {
            up.sigterm();
            up.awaitExit(Duration.ofMinutes(1));
        }
    }

    // ---------------------------------------------------------------- helpers

    private void signIn(String key, String secret) throws Exception {
        browser.get(console);
        assertThat(browser.getCurrentUrl()).endsWith("/console/sign-in");
        shot("sign-in");
        fill("accessKeyId", key);
        fill("secretAccessKey", secret);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().endsWith("/console/services"));
    }

    private String running(String name) throws Exception {
        String arn = admin().ok("create-service", "--service-name", name, "--source-configuration",
                "{\"AutoDeploymentsEnabled\":false,\"CodeRepository\":{\"RepositoryUrl\":\"" + tmp.resolve("app")
                        + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"},"
                        + "\"CodeConfiguration\":{\"ConfigurationSource\":\"REPOSITORY\"}}}").at("/Service/ServiceArn").asText();
        admin().awaitStatus(arn, "RUNNING");
        return arn;
    }

    private static AwsCli admin() {
        return AwsCli.withKeys(apiPort, ADMIN_KEY, ADMIN_SECRET);
    }

    private void fill(String id, String value) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    /** The element's text, or "" while there is none (or the page reloads as it is read: live pages reload on a change). */
    private String text(String id) {
        try {
            List<WebElement> found = browser.findElements(By.id(id));
            return found.isEmpty() ? "" : found.get(0).getText();
        } catch (org.openqa.selenium.StaleElementReferenceException reloaded) {
            return "";
        }
    }

    private void shot(String name) throws Exception {
        Files.write(SHOTS.resolve(test + "-" + name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
