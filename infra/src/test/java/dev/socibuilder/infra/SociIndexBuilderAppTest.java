package dev.socibuilder.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;

class SociIndexBuilderAppTest {

  @TempDir
  Path jars;

  @Test
  void stackNameComesFromContextSoSeveralCopiesCanBeDeployed() {
    App app = TestApps.app(jars.resolve("cdk.out"), Map.of("stackName", "SociIndexBuilder-team2"));

    SociIndexBuilderStack stack = SociIndexBuilderApp.configure(app, TestApps.placeholderArtifacts(jars));

    assertThat(stack.getStackName()).isEqualTo("SociIndexBuilder-team2");
  }

  @Test
  void stackIsAccountAndRegionAgnostic() {
    App app = TestApps.app(jars.resolve("cdk.out"));

    SociIndexBuilderStack stack = SociIndexBuilderApp.configure(app, TestApps.placeholderArtifacts(jars));

    assertThat(stack.getStackName()).isEqualTo("SociIndexBuilder");
    // unresolved tokens: the same template deploys to any account and region
    assertThat(stack.getAccount()).startsWith("${Token[");
    assertThat(stack.getRegion()).startsWith("${Token[");
  }

  @Test
  void cdkJsonSetsTheRecommendedFeatureFlags() {
    Map<String, Object> context = TestApps.cdkJsonContext();

    // A few of aws-cdk-lib's recommended flags (`cdk init` writes all of them), including the one that makes
    // CloudFormation validation findings fail the synthesis.
    assertThat(context).containsEntry("@aws-cdk/core:validateAgainstDefaultRules", true)
        .containsEntry("@aws-cdk/aws-iam:minimizePolicies", true)
        .containsEntry("@aws-cdk/core:checkSecretUsage", true)
        .containsEntry("@aws-cdk/aws-lambda:recognizeLayerVersion", true);
    assertThat(context).hasSizeGreaterThan(80);
  }
}
