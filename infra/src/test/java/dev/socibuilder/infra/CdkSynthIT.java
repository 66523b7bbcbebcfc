package dev.socibuilder.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * Runs the real CDK CLI ({@code cdk synth}) in {@code infra/} after {@code mvn package}, exactly as an operator
 * would before {@code cdk deploy}: proves that cdk.json's app command works offline from the packaged classpath
 * and the Lambda modules' jars, without Maven or Docker. Needs the {@code cdk} command (npm package aws-cdk) on
 * the PATH.
 */
class CdkSynthIT {

  private static final Path INFRA = Path.of("").toAbsolutePath();
  private static final Path OUT = INFRA.resolve("target/cdk-it.out");

  @Test
  void cdkSynthProducesTheTemplateFromThePackagedJarsOffline() throws Exception {
    Path repository = INFRA.getParent();
    Path filterJar = repository.resolve(LambdaArtifacts.FILTER_JAR);
    Path indexerJar = repository.resolve(LambdaArtifacts.INDEXER_JAR);
    assertThat(filterJar).as("built by the lambda-filter module before infra (mvn verify from the root)")
        .isRegularFile();
    assertThat(indexerJar).as("built by the lambda-indexer module before infra (mvn verify from the root)")
        .isRegularFile();
    assertThat(INFRA.resolve("target/lib")).as("copied by mvn package").isDirectory();
    deleteRecursively(OUT);

    Path log = INFRA.resolve("target/cdk-it.log");
    ProcessBuilder builder = new ProcessBuilder("cdk", "synth", "--quiet", "--no-notices",
        "--no-version-reporting", "--output", OUT.toString())
        .directory(INFRA.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("CDK_DISABLE_VERSION_CHECK", "true");
    env.put("CDK_DISABLE_CLI_TELEMETRY", "true");
    env.put("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20");
    env.put("AWS_EC2_METADATA_DISABLED", "true"); // no credential lookup against an instance role
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new AssertionError("cannot run 'cdk': install the CLI with npm install -g aws-cdk", e);
    }
    // a guard against a hung CLI, not a speed measure
    boolean finished = process.waitFor(10, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(finished).as("cdk synth finished; output:%n%s", output).isTrue();
    assertThat(process.exitValue()).as("cdk synth exit code; output:%n%s", output).isZero();

    Path template = OUT.resolve(SociIndexBuilderApp.DEFAULT_STACK_NAME + ".template.json");
    assertThat(template).isRegularFile();
    JsonNode resources = new ObjectMapper().readTree(template.toFile()).get("Resources");
    List<JsonNode> functions = new ArrayList<>();
    List<String> types = new ArrayList<>();
    resources.forEach(r -> {
      types.add(r.get("Type").asText());
      if (r.get("Type").asText().equals("AWS::Lambda::Function")) {
        functions.add(r.get("Properties"));
      }
    });
    assertThat(functions).hasSize(4).allSatisfy(f -> assertThat(f.get("Runtime").asText()).isEqualTo("java25"));
    // every handler the template names is a class of the jar its function is uploaded from
    for (JsonNode f : functions) {
      String handler = f.get("Handler").asText();
      Path asset = OUT.resolve("asset." + f.get("Code").get("S3Key").asText());
      String entry = handler.substring(0, handler.indexOf("::")).replace('.', '/') + ".class";
      try (ZipFile jar = new ZipFile(asset.toFile())) {
        assertThat(jar.getEntry(entry)).as("%s in %s", entry, asset).isNotNull();
      }
    }
    assertThat(types).doesNotContain("AWS::Lambda::Version", "AWS::Lambda::Alias");
    // cdk.json's flags make CloudFormation validation findings fail the synthesis; none is left unacknowledged.
    JsonNode validation = new ObjectMapper().readTree(OUT.resolve("validation-report.json").toFile());
    validation.get("pluginReports").forEach(p -> assertThat(p.get("violations")).as(p.toString()).isEmpty());
    // the packaged jars are the assets, byte for byte
    for (Path jar : List.of(filterJar, indexerJar)) {
      assertThat(assetsIdenticalTo(jar)).as("asset copy of %s in %s", jar, OUT).isNotEmpty();
    }
  }

  private static List<Path> assetsIdenticalTo(Path jar) throws IOException {
    List<Path> same = new ArrayList<>();
    try (Stream<Path> files = Files.list(OUT)) {
      for (Path p : files.filter(f -> f.getFileName().toString().startsWith("asset.")).toList()) {
        if (Files.isRegularFile(p) && Files.mismatch(p, jar) == -1L) {
          same.add(p);
        }
      }
    }
    return same;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }
}
