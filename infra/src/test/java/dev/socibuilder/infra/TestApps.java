package dev.socibuilder.infra;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import software.constructs.IConstruct;

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

  /** A stack in {@code app}, with cdk-nag's AwsSolutions checks on the app (as a platform team would add them). */
  static Stack nagCheckedStack(App app, String name) {
    Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
    return new Stack(app, name);
  }

  /** The logical id of a resource (or of an L2 construct's default child) in {@code stack}. */
  static String logicalId(Stack stack, IConstruct construct) {
    IConstruct resource = construct.getNode().getDefaultChild() != null
        ? construct.getNode().getDefaultChild() : construct;
    return stack.resolve(((CfnElement) resource).getLogicalId()).toString();
  }

  /** Every error and warning annotation of the stack (cdk-nag's among them), as "ID: message". */
  // Annotations.findError/findWarning still return the deprecated cxapi type in aws-cdk-lib 2.263.0.
  @SuppressWarnings("deprecation")
  static List<String> errorsAndWarnings(Stack stack) {
    List<SynthesisMessage> messages = new ArrayList<>(Annotations.fromStack(stack).findError("*", Match.anyValue()));
    messages.addAll(Annotations.fromStack(stack).findWarning("*", Match.anyValue()));
    return messages.stream().map(m -> m.getId() + ": " + m.getEntry().getData()).toList();
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
