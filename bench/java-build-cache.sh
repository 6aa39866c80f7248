#!/usr/bin/env bash
# A Spring Boot web app (Maven, spring-boot-starter-web 3.5.7) deployed by `slipway server` as root, so built and run
# as slipway-app: the first deployment (CreateService until RUNNING) and the second of the unchanged project
# (StartDeployment until SUCCEEDED), timed, with the artifacts Maven downloaded in each (its "Downloaded from" lines in
# the deployment log). The second should be dominated by compiling and packaging: the service's home keeps Maven's
# repository. Needs Maven, Java 17 and a Maven repository to download from (Maven Central, or the mirror of
# ~/.m2/settings.xml; MAVEN_SETTINGS=FILE uses another, copied into the app).
# Usage: bench/java-build-cache.sh   (as root, after: mvn -B -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root: the point is the build as slipway-app" >&2; exit 1; }
work=$(mktemp -d)
chmod 755 "$work"
mkdir -p "$work/app/src/main/java/demo"
cat > "$work/app/pom.xml" <<'POM'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>3.5.7</version></parent>
  <groupId>demo</groupId><artifactId>app</artifactId><version>1</version>
  <properties><java.version>17</java.version></properties>
  <dependencies><dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency></dependencies>
  <build><plugins><plugin><groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build>
</project>
POM
cat > "$work/app/src/main/java/demo/App.java" <<'JAVA'
package demo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@SpringBootApplication
@RestController
public class App {
    @GetMapping("/")
    public String hello() {
        return "hello from spring boot";
    }

    public static void main(String[] args) {
        SpringApplication.run(App.class, args);
    }
}
JAVA
settings=""
if [ -n "${MAVEN_SETTINGS:-}" ]; then cp "$MAVEN_SETTINGS" "$work/app/settings.xml"; settings="-s settings.xml"; fi
cat > "$work/app/apprunner.yaml" <<YAML
version: 1.0
runtime: corretto11
build:
  commands:
    build:
      - mvn -B $settings -DskipTests package
run:
  command: java -Dserver.port=\$PORT -jar target/app-1.jar
YAML
source bench/lib.sh
start_server 18488 19088 --allow-source-dir "$work"
now() { date +%s.%N; }
repo="{\"RepositoryUrl\":\"file://$work/app\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}"
t0=$(now)
out=$(aws apprunner create-service --service-name boot-cache $E --source-configuration "{\"CodeRepository\":$repo}" \
  --query '[Service.ServiceArn, OperationId]' --output text)
arn=$(cut -f1 <<< "$out") first=$(cut -f2 <<< "$out")
await_status() {
  until [ "$(aws apprunner list-operations --service-arn "$arn" $E --query "OperationSummaryList[?Id=='$1'].Status" --output text)" = "$2" ]; do
    [ "$(aws apprunner list-operations --service-arn "$arn" $E --query "OperationSummaryList[?Id=='$1'].Status" --output text)" != FAILED ] \
      || { java -jar server/target/slipway.jar logs boot-cache --state-dir "$work/state" --deployment "$1" | tail -30 >&2; exit 1; }
    sleep 0.5
  done
}
await_status "$first" SUCCEEDED
t1=$(now)
second=$(aws apprunner start-deployment --service-arn "$arn" $E --query OperationId --output text)
await_status "$second" SUCCEEDED
t2=$(now)
host=$(aws apprunner describe-service --service-arn "$arn" $E --query Service.ServiceUrl --output text)
body=$(curl -s -H "Host: $host" http://127.0.0.1:19088/)
log() { java -jar server/target/slipway.jar logs boot-cache --state-dir "$work/state" --deployment "$1"; }
downloads() { log "$1" | grep -c "Downloaded from" || true; }
printf 'first deployment:  %6.1f s, %4d artifacts downloaded\n' "$(echo "$t1 - $t0" | bc)" "$(downloads "$first")"
printf 'second deployment: %6.1f s, %4d artifacts downloaded\n' "$(echo "$t2 - $t1" | bc)" "$(downloads "$second")"
echo "the app answers: $body"
aws apprunner delete-service --service-arn "$arn" $E > /dev/null
