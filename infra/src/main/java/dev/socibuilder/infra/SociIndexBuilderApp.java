package dev.socibuilder.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.nio.file.Path;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.StackProps;

/**
 * The CDK app ({@code cdk.json} runs it in {@code infra/}): one {@link SociIndexBuilderStack} built from the jars
 * that {@code mvn package} left in {@code lambda-filter/target} and {@code lambda-indexer/target}, checked by
 * cdk-nag's AwsSolutions rules.
 *
 * <p>Context: {@code -c stackName=NAME} deploys another copy under another name (default
 * {@value #DEFAULT_STACK_NAME}).
 */
public final class SociIndexBuilderApp {

  /** The stack name when no {@code stackName} context value is given. */
  public static final String DEFAULT_STACK_NAME = "SociIndexBuilder";

  private SociIndexBuilderApp() {
  }

  /**
   * Synthesizes the app. Run by the CDK CLI with the working directory {@code infra/}, so the repository root
   * is its parent.
   *
   * Exits with status 1 and a message saying to run {@code mvn package} first if the Lambda jars are missing.
   */
  public static void main(String[] args) {
    Path repositoryRoot = Path.of("").toAbsolutePath().getParent();
    LambdaArtifacts artifacts;
    try {
      artifacts = LambdaArtifacts.inRepository(repositoryRoot);
    } catch (IllegalArgumentException e) {
      // an operator error, not a bug: the message says what to do, a stack trace would bury it
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    App app = new App();
    configure(app, artifacts);
    app.synth();
  }

  /**
   * Adds the stack and the cdk-nag AwsSolutions checks to {@code app}: what {@link #main} deploys, for tests.
   */
  static SociIndexBuilderStack configure(App app, LambdaArtifacts artifacts) {
    Object name = app.getNode().tryGetContext("stackName");
    String stackName = name == null ? DEFAULT_STACK_NAME : name.toString();
    SociIndexBuilderStack stack = new SociIndexBuilderStack(app, stackName, StackProps.builder()
        .description("SOCI Index Builder: builds SOCI indexes for images pushed to ECR")
        .build(), artifacts);
    // Errors fail the synthesis; every accepted finding is suppressed in the stack with its reason.
    Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
    return stack;
  }
}
