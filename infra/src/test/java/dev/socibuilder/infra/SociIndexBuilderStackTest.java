package dev.socibuilder.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import software.amazon.awscdk.services.sqs.Queue;

/**
 * The stack as {@link SociIndexBuilderApp#configure} builds it (with the cdk-nag aspect), synthesized once from
 * placeholder jars. Parameter names, environment variable names and handlers are written out literally here:
 * they are the contract with the Lambda modules and the operators.
 */
class SociIndexBuilderStackTest {

  private static final String FILTER_HANDLER = "dev.socibuilder.filter.FilterHandler::handleRequest";
  private static final String INDEXER_HANDLER = "dev.socibuilder.indexer.lambda.IndexerHandler::handleRequest";
  private static final List<String> ECR_PULL_PUSH = List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
      "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload", "ecr:PutImage");

  @TempDir
  static Path jars;

  private static App app;
  private static SociIndexBuilderStack stack;
  private static Stack nagCanary;
  private static Template template;
  private static Map<String, Object> json;
  private static Path filterJar;
  private static Path indexerJar;

  @BeforeAll
  static void synthesize() throws IOException {
    filterJar = placeholderJar(jars.resolve("filter.jar"), "filter");
    indexerJar = placeholderJar(jars.resolve("indexer.jar"), "indexer");
    app = new App(AppProps.builder().outdir(jars.resolve("cdk.out").toString()).build());
    stack = SociIndexBuilderApp.configure(app, new LambdaArtifacts(filterJar, indexerJar));
    // A stack with a queue that breaks AwsSolutions rules: proves the nag aspect really runs on the app.
    nagCanary = new Stack(app, "NagCanary");
    new Queue(nagCanary, "Unencrypted");
    template = Template.fromStack(stack);
    json = template.toJSON();
  }

  // ---- trigger ----

  @Test
  void ruleMatchesSuccessfulEcrPushesInTheStacksAccountAndRegion() {
    template.resourceCountIs("AWS::Events::Rule", 1);
    template.hasResourceProperties("AWS::Events::Rule", Map.of(
        "State", "ENABLED",
        "EventPattern", Match.exact(Map.of(
            "source", List.of("aws.ecr"),
            "detail-type", List.of("ECR Image Action"),
            "account", List.of(Map.of("Ref", "AWS::AccountId")),
            "region", List.of(Map.of("Ref", "AWS::Region")),
            "detail", Map.of("action-type", List.of("PUSH"), "result", List.of("SUCCESS"))))));
  }

  @Test
  void ruleTargetsTheFilterAliasWithRetriesAndADeadLetterQueue() {
    Map<String, Object> target = ruleTarget();

    assertThat(target.get("Arn")).isEqualTo(Map.of("Ref", aliasOf(filterFunctionId())));
    assertThat(map(target.get("RetryPolicy"))).containsKeys("MaximumRetryAttempts", "MaximumEventAgeInSeconds");
    assertThat(((Number) map(target.get("RetryPolicy")).get("MaximumRetryAttempts")).intValue()).isPositive();
    assertThat(map(target.get("DeadLetterConfig")).get("Arn"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of(deadLetterQueueId(), "Arn")));
  }

  @Test
  void eventBridgeMayInvokeOnlyTheFilterAlias() {
    Map<String, Object> permission = properties(resource(onlyResource("AWS::Lambda::Permission")));

    assertThat(permission.get("Principal")).isEqualTo("events.amazonaws.com");
    assertThat(permission.get("FunctionName")).isEqualTo(Map.of("Ref", aliasOf(filterFunctionId())));
    assertThat(permission.get("SourceArn")).isEqualTo(
        Map.of("Fn::GetAtt", List.of(onlyResource("AWS::Events::Rule"), "Arn")));
  }

  // ---- functions ----

  @Test
  void bothFunctionsRunJava25OnArm64WithSnapStartAndJsonLogs() {
    template.resourceCountIs("AWS::Lambda::Function", 2);
    for (String handler : List.of(FILTER_HANDLER, INDEXER_HANDLER)) {
      template.hasResourceProperties("AWS::Lambda::Function", Map.of(
          "Handler", handler,
          "Runtime", "java25",
          "Architectures", List.of("arm64"),
          "SnapStart", Map.of("ApplyOn", "PublishedVersions"),
          "LoggingConfig", Map.of("LogFormat", "JSON")));
    }
  }

  @Test
  void eachAliasPointsAtAPublishedVersionOfItsFunction() {
    for (String function : List.of(filterFunctionId(), indexerFunctionId())) {
      Map<String, Object> alias = properties(resource(aliasOf(function)));
      assertThat(alias.get("Name")).isEqualTo("live");
      List<?> versionAtt = list(map(alias.get("FunctionVersion")).get("Fn::GetAtt"));
      Map<String, Object> version = resource(versionAtt.get(0).toString());
      assertThat(version.get("Type")).isEqualTo("AWS::Lambda::Version");
      assertThat(properties(version).get("FunctionName")).isEqualTo(Map.of("Ref", function));
    }
  }

  @Test
  void functionsAreUploadedFromTheGivenJarsAsIs() throws IOException {
    Path assembly = Path.of(app.getOutdir());
    for (Map.Entry<String, Path> e : Map.of(filterFunctionId(), filterJar, indexerFunctionId(), indexerJar)
        .entrySet()) {
      String key = map(properties(resource(e.getKey())).get("Code")).get("S3Key").toString();
      assertThat(key).endsWith(".jar");
      Path staged = assembly.resolve("asset." + key);
      assertThat(Files.mismatch(staged, e.getValue())).as("staged %s", staged).isEqualTo(-1L);
    }
  }

  @Test
  void filterEnvironmentIsWiredToParametersAndTheIndexerAlias() {
    Map<String, Object> env = environment(filterFunctionId());

    assertThat(env).containsOnlyKeys("FILTERS", "INDEXER_FUNCTION_NAME", "SOCI_TAG_SUFFIX", "INDEX_UNTAGGED",
        "EXPECTED_ACCOUNT_ID");
    assertThat(env.get("FILTERS")).isEqualTo(Map.of("Ref", "RepositoryImageTagFilters"));
    assertThat(env.get("SOCI_TAG_SUFFIX")).isEqualTo(Map.of("Ref", "SociTagSuffix"));
    assertThat(env.get("INDEX_UNTAGGED")).isEqualTo(Map.of("Ref", "IndexUntaggedPushes"));
    assertThat(env.get("EXPECTED_ACCOUNT_ID")).isEqualTo(Map.of("Ref", "AWS::AccountId"));
    // deployed value: the indexer's qualified name, so the filter invokes the SnapStart alias
    assertThat(deployed(Map.of()).evaluateString(env.get("INDEXER_FUNCTION_NAME")))
        .isEqualTo(physicalName(indexerFunctionId()) + ":live");
  }

  @Test
  void indexerEnvironmentIsWiredToParameters() {
    Map<String, Object> env = environment(indexerFunctionId());

    assertThat(env).containsEntry("SOCI_INDEX_VERSION", Map.of("Ref", "SociIndexVersion"))
        .containsEntry("SPAN_SIZE_BYTES", Map.of("Ref", "SpanSizeBytes"))
        .containsEntry("MIN_LAYER_SIZE_BYTES", Map.of("Ref", "MinLayerSizeBytes"))
        .containsEntry("SOCI_TAG_SUFFIX", Map.of("Ref", "SociTagSuffix"))
        .containsEntry("RESULT_EVENT_BUS_NAME", "default");
  }

  @Test
  void indexerRunsFifteenMinutesWithMemoryAndReservedConcurrencyFromParameters() {
    Map<String, Object> indexer = properties(resource(indexerFunctionId()));

    assertThat(((Number) indexer.get("Timeout")).intValue()).isEqualTo(900);
    assertThat(indexer.get("MemorySize")).isEqualTo(Map.of("Ref", "IndexerMemoryMiB"));
    assertThat(indexer.get("ReservedConcurrentExecutions"))
        .isEqualTo(Map.of("Ref", "IndexerReservedConcurrency"));
  }

  // ---- failures ----

  @Test
  void indexerAliasRetriesBoundedlyThenSendsToTheFailureQueue() {
    Map<String, Object> config = invokeConfigOf(indexerFunctionId());

    assertThat(((Number) config.get("MaximumRetryAttempts")).intValue()).isBetween(0, 2);
    assertThat(map(map(config.get("DestinationConfig")).get("OnFailure")).get("Destination"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of(failureQueueId(), "Arn")));
  }

  @Test
  void asyncConfigurationAppliesToTheInvokedAliasNotLatest() {
    for (String function : List.of(filterFunctionId(), indexerFunctionId())) {
      Map<String, Object> config = invokeConfigOf(function);
      assertThat(deployed(Map.of()).evaluateString(config.get("Qualifier"))).isEqualTo("live");
    }
  }

  @Test
  void filterFailuresGoToTheDeadLetterQueue() {
    Map<String, Object> config = invokeConfigOf(filterFunctionId());

    assertThat(map(map(config.get("DestinationConfig")).get("OnFailure")).get("Destination"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of(deadLetterQueueId(), "Arn")));
  }

  @Test
  void queuesAreEncryptedRequireTlsAndKeepMessagesTwoWeeksForReplay() {
    template.resourceCountIs("AWS::SQS::Queue", 2);
    for (String queue : List.of(deadLetterQueueId(), failureQueueId())) {
      Map<String, Object> props = properties(resource(queue));
      assertThat(props.get("SqsManagedSseEnabled")).isEqualTo(true);
      assertThat(((Number) props.get("MessageRetentionPeriod")).intValue()).isEqualTo(14 * 24 * 3600);
      template.hasResourceProperties("AWS::SQS::QueuePolicy", Map.of(
          "Queues", List.of(Map.of("Ref", queue)),
          "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
              "Effect", "Deny",
              "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))));
    }
  }

  @Test
  void onlyTheRuleMaySendToTheDeadLetterQueue() {
    template.hasResourceProperties("AWS::SQS::QueuePolicy", Map.of(
        "Queues", List.of(Map.of("Ref", deadLetterQueueId())),
        "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
            "Effect", "Allow",
            "Action", "sqs:SendMessage",
            "Principal", Map.of("Service", "events.amazonaws.com"),
            "Condition", Map.of("ArnEquals", Map.of("aws:SourceArn",
                Map.of("Fn::GetAtt", List.of(onlyResource("AWS::Events::Rule"), "Arn")))))))))));
  }

  @Test
  void eachFunctionLogsToItsOwnLogGroupWithRetention() {
    template.resourceCountIs("AWS::Logs::LogGroup", 2);
    for (String function : List.of(filterFunctionId(), indexerFunctionId())) {
      Map<String, Object> logging = map(properties(resource(function)).get("LoggingConfig"));
      String logGroup = map(logging.get("LogGroup")).get("Ref").toString();
      Map<String, Object> props = properties(resource(logGroup));
      assertThat(((Number) props.get("RetentionInDays")).intValue()).isBetween(1, 3653);
    }
  }

  // ---- IAM ----

  @Test
  void noEcrPullOrPushActionIsGrantedOnEveryResource() {
    for (Map<String, Object> statement : allStatements()) {
      List<String> actions = strings(statement.get("Action"));
      if (actions.stream().anyMatch(a -> a.startsWith("ecr:") && !a.equals("ecr:GetAuthorizationToken"))) {
        assertThat(strings(statement.get("Resource"))).as("statement %s", statement).doesNotContain("*");
      }
      assertThat(actions).doesNotContain("*", "ecr:*", "lambda:*", "events:*", "sqs:*", "logs:*");
    }
  }

  @Test
  void indexerGetsAnEcrTokenAndOnlyThePullPushActionsItUses() {
    List<Map<String, Object>> statements = statementsOf(roleOf(indexerFunctionId()));
    Map<String, Object> token = statementWith(statements, "ecr:GetAuthorizationToken");
    Map<String, Object> pullPush = statementWith(statements, "ecr:BatchGetImage");

    assertThat(strings(token.get("Action"))).containsExactly("ecr:GetAuthorizationToken");
    assertThat(token.get("Resource")).isEqualTo("*");
    assertThat(strings(pullPush.get("Action"))).containsExactlyInAnyOrderElementsOf(ECR_PULL_PUSH);
  }

  @Test
  void defaultFiltersGrantEveryRepositoryOfTheStacksAccountAndRegionOnly() {
    List<String> granted = grantedRepositories(Map.of());

    assertThat(granted).allMatch(arn -> arn.equals(repositoryArn("*")));
    assertThat(granted(granted, "any/repo")).isTrue();
    assertThat(granted.stream().anyMatch(p -> CfnEvaluator.iamResourceMatches(p,
        "arn:aws:ecr:us-east-1:" + CfnEvaluator.ACCOUNT + ":repository/any"))).isFalse();
    assertThat(granted.stream().anyMatch(p -> CfnEvaluator.iamResourceMatches(p,
        "arn:aws:ecr:" + CfnEvaluator.REGION + ":999999999999:repository/any"))).isFalse();
  }

  @Test
  void repositoryGrantsFollowThePositiveFilterGlobs() {
    List<String> granted = grantedRepositories(
        Map.of("RepositoryImageTagFilters", "team/*:v*,!team/secret:*,base:latest,svc-??:*"));

    assertThat(granted(granted, "team/web")).isTrue();
    assertThat(granted(granted, "team/a/b")).isTrue();
    assertThat(granted(granted, "base")).isTrue();
    assertThat(granted(granted, "svc-01")).isTrue();
    assertThat(granted(granted, "svc-1")).isFalse();
    assertThat(granted(granted, "baseimage")).isFalse();
    assertThat(granted(granted, "other")).isFalse();
  }

  @Test
  void exclusionsGrantNothing() {
    List<String> granted = grantedRepositories(Map.of("RepositoryImageTagFilters", "!*:*,!app:latest"));

    assertThat(granted(granted, "app")).isFalse();
    assertThat(granted(granted, "anything")).isFalse();
  }

  @Test
  void everyOneOfTheMostFiltersAllowedIsGranted() {
    List<String> filters = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      filters.add("repo" + i + ":*");
    }
    List<String> granted = grantedRepositories(Map.of("RepositoryImageTagFilters", String.join(",", filters)));

    for (int i = 0; i < 10; i++) {
      assertThat(granted(granted, "repo" + i)).as("repo%d", i).isTrue();
    }
    assertThat(granted(granted, "repo10")).isFalse();
  }

  @Test
  void filterMayInvokeOnlyTheIndexerAlias() {
    List<Map<String, Object>> invokes = allStatements().stream()
        .filter(s -> strings(s.get("Action")).stream().anyMatch(a -> a.startsWith("lambda:")))
        .toList();
    Map<String, Object> invoke = onlyElement(invokes);

    assertThat(invoke.get("Action")).isEqualTo("lambda:InvokeFunction");
    assertThat(invoke.get("Resource")).isEqualTo(Map.of("Ref", aliasOf(indexerFunctionId())));
    assertThat(statementsOf(roleOf(filterFunctionId()))).contains(invoke);
  }

  @Test
  void indexerMayPutEventsOnlyOnTheDefaultBus() {
    Map<String, Object> put = statementWith(statementsOf(roleOf(indexerFunctionId())), "events:PutEvents");

    assertThat(deployed(Map.of()).evaluateString(put.get("Resource"))).isEqualTo("arn:aws:events:"
        + CfnEvaluator.REGION + ":" + CfnEvaluator.ACCOUNT + ":event-bus/default");
    assertThat(allStatements().stream().filter(s -> strings(s.get("Action")).contains("events:PutEvents")))
        .hasSize(1);
  }

  @Test
  void functionsWriteOnlyToTheirOwnLogGroup() {
    for (String function : List.of(filterFunctionId(), indexerFunctionId())) {
      String logGroup = map(map(properties(resource(function)).get("LoggingConfig")).get("LogGroup"))
          .get("Ref").toString();
      Map<String, Object> logs = statementWith(statementsOf(roleOf(function)), "logs:PutLogEvents");
      assertThat(logs.get("Resource")).isEqualTo(Map.of("Fn::GetAtt", List.of(logGroup, "Arn")));
    }
    template.resourceCountIs("AWS::IAM::ManagedPolicy", 0);
    assertThat(template.findResources("AWS::IAM::Role")).isNotEmpty().allSatisfy((id, role) ->
        assertThat(properties(map(role))).as(id).doesNotContainKey("ManagedPolicyArns"));
  }

  // ---- parameters, names, outputs ----

  @Test
  void parametersHaveDefaultsAndConstraints() {
    template.hasParameter("RepositoryImageTagFilters", Map.of("Type", "String", "Default", "*:*",
        "AllowedPattern", Match.anyValue(), "Description", Match.anyValue()));
    template.hasParameter("SociIndexVersion", Map.of("Type", "String", "Default", "V2",
        "AllowedValues", List.of("V2", "V1"), "Description", Match.anyValue()));
    template.hasParameter("SpanSizeBytes", Map.of("Type", "Number", "Default", 4194304,
        "MinValue", Match.anyValue(), "MaxValue", Match.anyValue(), "Description", Match.anyValue()));
    template.hasParameter("MinLayerSizeBytes", Map.of("Type", "Number", "Default", 10485760,
        "MinValue", 0, "Description", Match.anyValue()));
    template.hasParameter("SociTagSuffix", Map.of("Type", "String", "Default", "-soci",
        "AllowedPattern", Match.anyValue(), "Description", Match.anyValue()));
    template.hasParameter("IndexUntaggedPushes", Map.of("Type", "String", "Default", "false",
        "AllowedValues", List.of("true", "false"), "Description", Match.anyValue()));
    template.hasParameter("IndexerMemoryMiB", Map.of("Type", "Number", "Default", 3008,
        "MinValue", Match.anyValue(), "MaxValue", 10240, "Description", Match.anyValue()));
    template.hasParameter("IndexerReservedConcurrency", Map.of("Type", "Number", "Default", Match.anyValue(),
        "MinValue", 1, "MaxValue", Match.anyValue(), "Description", Match.anyValue()));
    assertThat(map(json.get("Parameters")).keySet().stream().filter(p -> !p.startsWith("BootstrapVersion")))
        .hasSize(8);
  }

  @Test
  void filtersPatternAcceptsGlobsAndExclusionsOnly() {
    Pattern pattern = allowedPattern("RepositoryImageTagFilters");

    assertThat(List.of("*:*", "app:latest", "team/*:v?.*,!team/secret:*", "my.repo_x-1/sub:Tag_1.0-rc",
        String.join(",", java.util.Collections.nCopies(10, "a:b"))))
        .allMatch(v -> pattern.matcher(v).matches());
    assertThat(List.of("", "app", "App:latest", "a:b, c:d", "a:b,", ",a:b", "a:b:c", "a:", ":b", "a b:c",
        "!!a:b", String.join(",", java.util.Collections.nCopies(11, "a:b"))))
        .noneMatch(v -> pattern.matcher(v).matches());
  }

  @Test
  void tagSuffixMustBeNonEmptyTagCharacters() {
    Pattern pattern = allowedPattern("SociTagSuffix");

    assertThat(List.of("-soci", ".soci", "_x1")).allMatch(v -> pattern.matcher(v).matches());
    assertThat(List.of("", "-so ci", "-soci:", "/x")).noneMatch(v -> pattern.matcher(v).matches());
  }

  @Test
  void noResourceHasAFixedNameSoSeveralCopiesFitOneRegion() {
    List<String> nameProperties = List.of("FunctionName", "QueueName", "LogGroupName", "RoleName", "Name",
        "PolicyName", "EventBusName");
    map(json.get("Resources")).forEach((id, r) -> {
      String type = map(r).get("Type").toString();
      Map<String, Object> props = properties(map(r));
      for (String name : nameProperties) {
        Object value = props.get(name);
        boolean allowed = value == null
            || (type.equals("AWS::Lambda::Alias") && name.equals("Name")) // alias name is per function
            || (type.equals("AWS::IAM::Policy") && name.equals("PolicyName")) // inline, per role
            || (type.startsWith("AWS::Lambda::") && name.equals("FunctionName") && value instanceof Map);
        assertThat(allowed).as("%s %s.%s = %s", id, type, name, value).isTrue();
      }
    });
  }

  @Test
  void outputsNameFunctionsLogsQueuesAndTheResultEvent() {
    Map<String, Object> outputs = map(json.get("Outputs"));

    assertThat(map(outputs.get("FilterFunctionName")).get("Value")).isEqualTo(Map.of("Ref", filterFunctionId()));
    assertThat(map(outputs.get("IndexerFunctionName")).get("Value"))
        .isEqualTo(Map.of("Ref", indexerFunctionId()));
    assertThat(map(outputs.get("DeadLetterQueueUrl")).get("Value")).isEqualTo(Map.of("Ref", deadLetterQueueId()));
    assertThat(map(outputs.get("FailureQueueUrl")).get("Value")).isEqualTo(Map.of("Ref", failureQueueId()));
    for (String function : List.of(filterFunctionId(), indexerFunctionId())) {
      Object logGroup = map(properties(resource(function)).get("LoggingConfig")).get("LogGroup");
      String output = function.equals(filterFunctionId()) ? "FilterLogGroupName" : "IndexerLogGroupName";
      assertThat(map(outputs.get(output)).get("Value")).isEqualTo(logGroup);
    }
    assertThat(map(outputs.get("ResultEventDetailType")).get("Value")).isEqualTo("SOCI Index Result");
    assertThat(map(outputs.get("ResultEventSource")).get("Value")).isEqualTo("soci-index-builder");
  }

  // ---- cdk-nag ----

  @Test
  void cdkNagAwsSolutionsHasNoUnsuppressedErrorOrWarning() {
    Annotations annotations = Annotations.fromStack(stack);

    assertThat(describe(annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*")))).isEmpty();
    assertThat(describe(annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*")))).isEmpty();
  }

  @Test
  void synthesisHasNoWarningsAtAll() {
    assertThat(describe(Annotations.fromStack(stack).findWarning("*", Match.anyValue()))).isEmpty();
  }

  @Test
  void cdkNagChecksRunOnTheApp() {
    assertThat(describe(Annotations.fromStack(nagCanary)
        .findError("*", Match.stringLikeRegexp("AwsSolutions-SQS.*")))).isNotEmpty();
  }

  @Test
  void everySuppressionIsNarrowAndExplained() {
    map(json.get("Resources")).forEach((id, r) -> {
      Object metadata = map(r).get("Metadata");
      if (metadata == null || map(metadata).get("cdk_nag") == null) {
        return;
      }
      for (Object rule : list(map(map(metadata).get("cdk_nag")).get("rules_to_suppress"))) {
        Map<String, Object> suppression = map(rule);
        assertThat(suppression.get("reason").toString()).as(id).hasSizeGreaterThan(60);
        if (suppression.get("id").equals("AwsSolutions-IAM5")) {
          assertThat(suppression.get("applies_to")).as(id).isEqualTo(List.of("Resource::*"));
        }
      }
    });
  }

  @Test
  void cannotSynthesizeWithoutPackagedJars() {
    assertThatThrownBy(() -> new LambdaArtifacts(jars.resolve("missing.jar"), indexerJar))
        .hasMessageContaining("run mvn package first");
  }

  // ---- helpers ----

  private static Path placeholderJar(Path file, String content) throws IOException {
    try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("placeholder.txt"));
      zip.write(content.getBytes(StandardCharsets.UTF_8));
    }
    return file;
  }

  private static CfnEvaluator deployed(Map<String, String> parameterValues) {
    Map<String, String> values = new HashMap<>();
    map(json.get("Parameters")).forEach((name, p) -> {
      Object def = map(p).get("Default");
      if (def != null) {
        values.put(name, def.toString());
      }
    });
    values.putAll(parameterValues);
    return new CfnEvaluator(values, SociIndexBuilderStackTest::refOf);
  }

  /** What Ref returns for each resource type, per the CloudFormation resource reference. */
  private static String refOf(String logicalId) {
    Map<String, Object> r = resource(logicalId);
    switch (r.get("Type").toString()) {
      case "AWS::Lambda::Alias": {
        Map<String, Object> props = properties(r);
        String function = map(props.get("FunctionName")).get("Ref").toString();
        return "arn:aws:lambda:" + CfnEvaluator.REGION + ":" + CfnEvaluator.ACCOUNT + ":function:"
            + physicalName(function) + ":" + props.get("Name");
      }
      default:
        return physicalName(logicalId);
    }
  }

  private static String physicalName(String logicalId) {
    return "SociIndexBuilder-" + logicalId + "-ABC123";
  }

  private static String repositoryArn(String name) {
    return "arn:aws:ecr:" + CfnEvaluator.REGION + ":" + CfnEvaluator.ACCOUNT + ":repository/" + name;
  }

  private static List<String> grantedRepositories(Map<String, String> parameterValues) {
    CfnEvaluator evaluator = deployed(parameterValues);
    List<String> granted = new ArrayList<>();
    for (Map<String, Object> statement : allStatements()) {
      if (strings(statement.get("Action")).contains("ecr:BatchGetImage")) {
        Object resources = statement.get("Resource");
        for (Object r : resources instanceof List<?> l ? l : List.of(resources)) {
          granted.add(evaluator.evaluateString(r));
        }
      }
    }
    assertThat(granted).isNotEmpty();
    return granted;
  }

  private static boolean granted(List<String> patterns, String repository) {
    return patterns.stream().anyMatch(p -> CfnEvaluator.iamResourceMatches(p, repositoryArn(repository)));
  }

  private static Pattern allowedPattern(String parameter) {
    return Pattern.compile(map(map(json.get("Parameters")).get(parameter)).get("AllowedPattern").toString());
  }

  private static String functionWithHandler(String handler) {
    return onlyElement(map(json.get("Resources")).entrySet().stream()
        .filter(e -> map(e.getValue()).get("Type").equals("AWS::Lambda::Function"))
        .filter(e -> handler.equals(properties(map(e.getValue())).get("Handler")))
        .map(Map.Entry::getKey)
        .toList());
  }

  private static String filterFunctionId() {
    return functionWithHandler(FILTER_HANDLER);
  }

  private static String indexerFunctionId() {
    return functionWithHandler(INDEXER_HANDLER);
  }

  private static String aliasOf(String function) {
    return onlyResource("AWS::Lambda::Alias", Map.of("Ref", function));
  }

  private static Map<String, Object> invokeConfigOf(String function) {
    return properties(resource(onlyResource("AWS::Lambda::EventInvokeConfig", Map.of("Ref", function))));
  }

  private static Map<String, Object> ruleTarget() {
    return map(onlyElement(list(properties(resource(onlyResource("AWS::Events::Rule"))).get("Targets"))));
  }

  private static String deadLetterQueueId() {
    return list(map(map(ruleTarget().get("DeadLetterConfig")).get("Arn")).get("Fn::GetAtt")).get(0).toString();
  }

  private static String failureQueueId() {
    return onlyElement(map(json.get("Resources")).entrySet().stream()
        .filter(e -> map(e.getValue()).get("Type").equals("AWS::SQS::Queue"))
        .map(Map.Entry::getKey)
        .filter(id -> !id.equals(deadLetterQueueId()))
        .toList());
  }

  private static String roleOf(String function) {
    return list(map(properties(resource(function)).get("Role")).get("Fn::GetAtt")).get(0).toString();
  }

  private static List<Map<String, Object>> statementsOf(String role) {
    List<Map<String, Object>> statements = new ArrayList<>();
    map(json.get("Resources")).forEach((id, r) -> {
      if (map(r).get("Type").equals("AWS::IAM::Policy")
          && list(properties(map(r)).get("Roles")).contains(Map.of("Ref", role))) {
        list(map(properties(map(r)).get("PolicyDocument")).get("Statement"))
            .forEach(s -> statements.add(map(s)));
      }
    });
    return statements;
  }

  private static List<Map<String, Object>> allStatements() {
    List<Map<String, Object>> statements = new ArrayList<>();
    map(json.get("Resources")).forEach((id, r) -> {
      String type = map(r).get("Type").toString();
      if (type.equals("AWS::IAM::Policy")) {
        list(map(properties(map(r)).get("PolicyDocument")).get("Statement"))
            .forEach(s -> statements.add(map(s)));
      }
      if (type.equals("AWS::IAM::Role") && properties(map(r)).get("Policies") != null) {
        throw new AssertionError("inline Policies on role " + id + " are not inspected");
      }
    });
    return statements;
  }

  private static Map<String, Object> statementWith(List<Map<String, Object>> statements, String action) {
    return onlyElement(statements.stream().filter(s -> strings(s.get("Action")).contains(action)).toList());
  }

  private static Map<String, Object> environment(String function) {
    return map(map(properties(resource(function)).get("Environment")).get("Variables"));
  }

  private static String onlyResource(String type) {
    return onlyElement(map(json.get("Resources")).entrySet().stream()
        .filter(e -> map(e.getValue()).get("Type").equals(type))
        .map(Map.Entry::getKey)
        .toList());
  }

  private static String onlyResource(String type, Object functionName) {
    return onlyElement(map(json.get("Resources")).entrySet().stream()
        .filter(e -> map(e.getValue()).get("Type").equals(type))
        .filter(e -> functionName.equals(properties(map(e.getValue())).get("FunctionName")))
        .map(Map.Entry::getKey)
        .toList());
  }

  private static Map<String, Object> resource(String logicalId) {
    Object r = map(json.get("Resources")).get(logicalId);
    assertThat(r).as("resource %s", logicalId).isNotNull();
    return map(r);
  }

  private static Map<String, Object> properties(Map<String, Object> resource) {
    Object p = resource.get("Properties");
    return p == null ? Map.of() : map(p);
  }

  // Annotations.findError/findWarning still return the deprecated cxapi type in aws-cdk-lib 2.263.0.
  @SuppressWarnings("deprecation")
  private static List<String> describe(List<SynthesisMessage> messages) {
    return messages.stream().map(m -> m.getId() + ": " + m.getEntry().getData()).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  private static List<?> list(Object o) {
    assertThat(o).isInstanceOf(List.class);
    return (List<?>) o;
  }

  private static List<String> strings(Object o) {
    if (o instanceof List<?> l) {
      return l.stream().map(Object::toString).toList();
    }
    return List.of(String.valueOf(o));
  }

  private static <T> T onlyElement(List<T> items) {
    assertThat(items).hasSize(1);
    return items.get(0);
  }
}
