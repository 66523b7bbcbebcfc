package dev.socibuilder.infra;

import static dev.socibuilder.infra.TemplateModel.list;
import static dev.socibuilder.infra.TemplateModel.map;
import static dev.socibuilder.infra.TemplateModel.onlyElement;
import static dev.socibuilder.infra.TestApps.logicalId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.RoleProps;
import software.amazon.awscdk.services.iam.ServicePrincipal;

/**
 * The zTOC cache bucket on its own and with the construct's literal props; the stack's bucket (parameter days,
 * policy, grants) is checked in {@link SociIndexBuilderStackTest}.
 */
class ZtocCacheBucketTest {

  @TempDir
  Path dir;

  @Test
  void theEntriesWildcardIsExactlyWhatCdkNagReportsWithoutItsSuppression() throws IOException {
    App app = TestApps.app(dir.resolve("out"));
    Stack stack = TestApps.nagCheckedStack(app, "PlatformStack");
    ZtocCacheBucket cache = new ZtocCacheBucket(stack, "Cache", 30, RemovalPolicy.RETAIN);
    Role role = new Role(stack, "Reader", RoleProps.builder()
        .assumedBy(new ServicePrincipal("lambda.amazonaws.com")).build());
    cache.grantTo(role);

    assertThatThrownBy(app::synth).hasMessageContaining("Validation failed");
    JsonNode report = new ObjectMapper().readTree(dir.resolve("out/validation-report.json").toFile());
    List<String> violations = new ArrayList<>();
    report.get("pluginReports").forEach(p -> p.get("violations").forEach(v -> violations.add(v.toString())));
    assertThat(violations).singleElement().asString()
        .contains("AwsSolutions-IAM5[" + cache.entriesNagResource() + "]");
  }

  @Test
  void aDestroyedZtocCacheIsEmptiedFirstAndStaysCdkNagClean() {
    App app = TestApps.app(dir.resolve("out"));
    Stack stack = TestApps.nagCheckedStack(app, "PlatformStack");
    SociIndexBuilder builder = new SociIndexBuilder(stack, "Soci", SociIndexBuilderProps.builder()
        .artifacts(TestApps.placeholderArtifacts(dir))
        .ztocCacheRemovalPolicy(RemovalPolicy.DESTROY)
        .ztocCacheDays(7)
        .build());

    TemplateModel t = new TemplateModel(Template.fromStack(stack).toJSON(), "PlatformStack");
    String bucket = logicalId(stack, builder.getZtocCacheBucket());

    assertThat(t.resource(bucket)).containsEntry("DeletionPolicy", "Delete");
    assertThat(map(onlyElement(list(map(t.properties(bucket).get("LifecycleConfiguration")).get("Rules")))))
        .containsEntry("ExpirationInDays", 7);
    String autoDelete = t.onlyOfType("Custom::S3AutoDeleteObjects");
    assertThat(t.properties(autoDelete).get("BucketName")).isEqualTo(Map.of("Ref", bucket));
    assertThat(TestApps.errorsAndWarnings(stack)).isEmpty();
  }
}
