package dev.socibuilder.infra;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;

/** CDK apps for tests, with the context (feature flags) of {@code infra/cdk.json}, as {@code cdk synth} runs. */
final class TestApps {

  private TestApps() {}

  /** The {@code context} of {@code cdk.json} in the module directory (the tests' working directory). */
  static Map<String, Object> cdkJsonContext() {
    try {
      Map<String, Object> cdkJson = new ObjectMapper().readValue(Path.of("cdk.json").toFile(),
          new TypeReference<Map<String, Object>>() {});
      @SuppressWarnings("unchecked")
      Map<String, Object> context = (Map<String, Object>) cdkJson.get("context");
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An app writing to {@code outdir}, with cdk.json's context plus {@code extra}. */
  static App app(Path outdir, Map<String, Object> extra) {
    Map<String, Object> context = new HashMap<>(cdkJsonContext());
    context.putAll(extra);
    return new App(AppProps.builder().outdir(outdir.toString()).context(context).build());
  }

  static App app(Path outdir) {
    return app(outdir, Map.of());
  }

  /** Placeholder jars (real zip files) standing for the packaged functions. */
  static LambdaArtifacts placeholderArtifacts(Path dir) {
    return new LambdaArtifacts(placeholderJar(dir.resolve("filter.jar"), "filter"),
        placeholderJar(dir.resolve("indexer.jar"), "indexer"));
  }

  static Path placeholderJar(Path file, String content) {
    try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("placeholder.txt"));
      zip.write(content.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
