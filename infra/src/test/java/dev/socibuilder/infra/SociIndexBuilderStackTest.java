package dev.socibuilder.infra;

import static dev.socibuilder.infra.TemplateModel.list;
import static dev.socibuilder.infra.TemplateModel.map;
import static dev.socibuilder.infra.TemplateModel.onlyElement;
import static dev.socibuilder.infra.TemplateModel.statementWith;
import static dev.socibuilder.infra.TemplateModel.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.testing.filters.FilterCases;
import dev.socibuilder.testing.filters.FilterCases.FilterCase;
import dev.socibuilder.ztoc.ZtocLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import software.amazon.awscdk.services.sqs.Queue;

/**
 * The stack as {@link SociIndexBuilderApp#configure} builds it (with the cdk-nag aspect and cdk.json's feature
 * flags), synthesized once from placeholder jars; deploy-time values are checked by evaluating the template for
 * given parameter values ({@link CfnEvaluator}). Parameter names, environment variable names and handlers are
 * written out literally here: they are the contract with the Lambda modules and the operators.
 */
class SociIndexBuilderStackTest {

  private static final String FILTER_HANDLER = "dev.socibuilder.filter.FilterHandler::handleRequest";
  private static final String INDEXER_HANDLER = "dev.socibuilder.indexer.lambda.IndexerHandler::handleRequest";
  private static final String FAILURE_HANDLER = "dev.socibuilder.indexer.lambda.FailureHandler::handleRequest";
  private static final String SWEEP_HANDLER = "dev.socibuilder.filter.sweep.SweepHandler::handleRequest";
  private static final List<String> ECR_PULL_PUSH = List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
      "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload", "ecr:PutImage");
  /** The parameters that configure the functions (the others configure the alarm topic and the roles). */
  private static final List<String> FUNCTION_PARAMETERS = List.of("RepositoryImageTagFilters", "SociIndexVersion",
      "SpanSizeBytes", "MinLayerSizeBytes", "SociTagSuffix", "IndexUntaggedPushes", "IndexerMemoryMiB",
      "IndexerReservedConcurrency", "ResultEventBusName", "SociOptimizations", "ZtocLimits",
      "BackfillInvokesPerMinute", "BlobConnections");

  @TempDir
  static Path jars;

  private static App app;
  private static SociIndexBuilderStack stack;
  private static Template template;
  private static TemplateModel t;
  private static LambdaArtifacts artifacts;

  @BeforeAll
  static void synthesize() {
    artifacts = TestApps.placeholderArtifacts(jars);
    app = TestApps.app(jars.resolve("cdk.out"));
    stack = SociIndexBuilderApp.configure(app, artifacts);
    template = Template.fromStack(stack);
    t = new TemplateModel(template.toJSON(), stack.getStackName());
  }

  private static String filter() {
    return t.function(FILTER_HANDLER);
  }

  private static String indexer() {
    return t.function(INDEXER_HANDLER);
  }

  private static String reporter() {
    return t.function(FAILURE_HANDLER);
  }

  private static String sweep() {
    return t.function(SWEEP_HANDLER);
  }

  private static List<String> functions() {
    return List.of(filter(), indexer(), reporter(), sweep());
  }

  private static String bucket() {
    return t.onlyOfType("AWS::S3::Bucket");
  }

  private static String pushRule() {
    return ruleWithSource("aws.ecr");
  }

  private static String failureRule() {
    return ruleWithSource("lambda");
  }

  private static String sweepDeployedRule() {
    return ruleWithSource("aws.cloudformation");
  }

  private static String sweepScheduleRule() {
    return onlyElement(t.ofType("AWS::Events::Rule").stream()
        .filter(id -> t.properties(id).containsKey("ScheduleExpression")).toList());
  }

  private static String ruleWithSource(String source) {
    return onlyElement(t.ofType("AWS::Events::Rule").stream()
        .filter(id -> t.properties(id).get("EventPattern") != null
            && map(t.properties(id).get("EventPattern")).get("source").equals(List.of(source)))
        .toList());
  }

  private static Map<String, Object> target(String rule, String arnOf) {
    return onlyElement(list(t.properties(rule).get("Targets")).stream().map(TemplateModel::map)
        .filter(target -> target.get("Arn").equals(Map.of("Fn::GetAtt", List.of(arnOf, "Arn")))).toList());
  }

  private static String deadLetterQueue() {
    return list(map(map(target(pushRule(), filter()).get("DeadLetterConfig")).get("Arn")).get("Fn::GetAtt"))
        .get(0).toString();
  }

  private static String failureQueue() {
    return onlyElement(t.ofType("AWS::SQS::Queue").stream().filter(id -> !id.equals(deadLetterQueue())).toList());
  }

  // ---- defect 1: a parameter change reaches what runs ----

  @Test
  void everyParameterAFunctionUsesReachesWhatIsInvokedBecauseTheFunctionsAreInvokedUnqualified() {
    // No version or alias that could keep an old configuration: what runs is the function's $LATEST, whose
    // properties hold the parameter references themselves.
    template.resourceCountIs("AWS::Lambda::Version", 0);
    template.resourceCountIs("AWS::Lambda::Alias", 0);
    Set<String> used = new LinkedHashSet<>();
    for (String function : functions()) {
      Set<String> refs = t.parameterRefs(t.properties(function));
      assertThat(refs).as("parameters configuring %s", function).isNotEmpty();
      used.addAll(refs);
      assertThat(t.invokeConfigOf(function).get("Qualifier")).isEqualTo("$LATEST");
      assertThat(t.properties(function)).doesNotContainKey("SnapStart");
    }
    assertThat(used).containsExactlyInAnyOrderElementsOf(FUNCTION_PARAMETERS);
    // Everything that invokes a function names it unqualified.
    Map<String, Object> filterEnv = t.environment(filter());
    assertThat(filterEnv.get("INDEXER_FUNCTION_NAME")).isEqualTo(Map.of("Ref", indexer()));
    assertThat(statementWith(t.statementsOf(t.roleOf(filter())), "lambda:InvokeFunction").get("Resource"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of(indexer(), "Arn")));
    assertThat(target(pushRule(), filter())).isNotNull();
    assertThat(target(failureRule(), reporter())).isNotNull();
    assertThat(target(sweepScheduleRule(), sweep())).isNotNull();
    assertThat(target(sweepDeployedRule(), sweep())).isNotNull();
    for (String permission : t.ofType("AWS::Lambda::Permission")) {
      assertThat(t.properties(permission).get("FunctionName")).isIn(
          Map.of("Fn::GetAtt", List.of(filter(), "Arn")), Map.of("Fn::GetAtt", List.of(reporter(), "Arn")),
          Map.of("Fn::GetAtt", List.of(sweep(), "Arn")));
    }
    // The sweep goes on as the function it runs as: unqualified (its only grant besides $LATEST).
    assertThat(t.deployed(Map.of()).evaluate(statementOn(t.statementsOf(t.roleOf(sweep())), "lambda:InvokeFunction",
        sweep()).get("Resource")))
        .isEqualTo(List.of(t.refOf(sweep() + ".Arn"), t.refOf(sweep() + ".Arn") + ":$LATEST"));
  }

  @Test
  void changedParameterValuesAreWhatTheFunctionsGet() {
    Map<String, String> values = Map.ofEntries(Map.entry("RepositoryImageTagFilters", "team/*:*"),
        Map.entry("SociIndexVersion", "V1"), Map.entry("SpanSizeBytes", "8388608"),
        Map.entry("MinLayerSizeBytes", "0"), Map.entry("SociTagSuffix", "-lazy"),
        Map.entry("IndexUntaggedPushes", "true"), Map.entry("IndexerMemoryMiB", "4096"),
        Map.entry("IndexerReservedConcurrency", "25"), Map.entry("ResultEventBusName", "pipes"),
        Map.entry("SociOptimizations", "xattr"), Map.entry("ZtocLimits", "toc-entries=1000000,ztoc-bytes=256MiB"),
        Map.entry("BackfillInvokesPerMinute", "7"), Map.entry("ZtocCacheDays", "30"), Map.entry("BlobConnections", "8"),
        Map.entry("BackfillSchedule", "cron(0 3 * * ? *)"));
    CfnEvaluator deployed = t.deployed(values);

    Map<String, Object> indexerEnv = t.environment(indexer());
    assertThat(deployed.evaluate(indexerEnv.get("SOCI_INDEX_VERSION"))).isEqualTo("V1");
    assertThat(deployed.evaluate(indexerEnv.get("SPAN_SIZE_BYTES"))).isEqualTo("8388608");
    assertThat(deployed.evaluate(indexerEnv.get("MIN_LAYER_SIZE_BYTES"))).isEqualTo("0");
    assertThat(deployed.evaluate(indexerEnv.get("BLOB_CONNECTIONS"))).isEqualTo("8");
    assertThat(deployed.evaluate(indexerEnv.get("SOCI_TAG_SUFFIX"))).isEqualTo("-lazy");
    assertThat(deployed.evaluate(indexerEnv.get("RESULT_EVENT_BUS_NAME")))
        .isEqualTo("arn:aws:events:" + CfnEvaluator.REGION + ":" + CfnEvaluator.ACCOUNT + ":event-bus/pipes");
    assertThat(deployed.evaluate(t.properties(indexer()).get("MemorySize"))).isEqualTo("4096");
    assertThat(deployed.evaluate(t.properties(indexer()).get("ReservedConcurrentExecutions"))).isEqualTo("25");
    assertThat(deployed.evaluate(indexerEnv.get("SOCI_OPTIMIZATIONS"))).isEqualTo("xattr");
    assertThat(deployed.evaluate(indexerEnv.get("ZTOC_LIMITS"))).isEqualTo("toc-entries=1000000,ztoc-bytes=256MiB");
    Map<String, Object> reporterEnv = new HashMap<>(indexerEnv);
    reporterEnv.remove("JAVA_TOOL_OPTIONS"); // the indexer's alone
    assertThat(t.environment(reporter())).isEqualTo(reporterEnv);
    Map<String, Object> filterEnv = t.environment(filter());
    assertThat(deployed.evaluate(filterEnv.get("FILTERS"))).isEqualTo("team/*:*");
    assertThat(deployed.evaluate(filterEnv.get("SOCI_TAG_SUFFIX"))).isEqualTo("-lazy");
    assertThat(deployed.evaluate(filterEnv.get("INDEX_UNTAGGED"))).isEqualTo("true");
    Map<String, Object> sweepEnv = t.environment(sweep());
    assertThat(deployed.evaluate(sweepEnv.get("FILTERS"))).isEqualTo("team/*:*");
    assertThat(deployed.evaluate(sweepEnv.get("SOCI_TAG_SUFFIX"))).isEqualTo("-lazy");
    assertThat(deployed.evaluate(sweepEnv.get("SOCI_INDEX_VERSION"))).isEqualTo("V1");
    assertThat(deployed.evaluate(sweepEnv.get("MAX_INVOKES_PER_MINUTE"))).isEqualTo("7");
    Map<String, Object> schedule = t.properties(sweepScheduleRule());
    assertThat(deployed.evaluate(schedule.get("ScheduleExpression"))).isEqualTo("cron(0 3 * * ? *)");
    assertThat(deployed.evaluate(schedule.get("State"))).isEqualTo("ENABLED");
    assertThat(deployed.evaluate(expirationDays())).isEqualTo("30");
  }

  // ---- defect 2: exclusion-only filters, and the shared filter table ----

  static List<FilterCase> sharedCases() {
    return FilterCases.all();
  }

  /**
   * The table the filter rules and the filter function are checked against too: the grant the template derives
   * from the parameter covers a repository exactly when the table says so (and so every selected one).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sharedCases")
  void indexerMayWriteTheRepositoriesTheSharedFilterTableGrants(FilterCase c) {
    assertThat(allowedPattern("RepositoryImageTagFilters").matcher(c.filters()).matches())
        .as("the parameter accepts %s", c.filters()).isTrue();

    List<String> granted = grantedRepositories(Map.of("RepositoryImageTagFilters", c.filters()));

    assertThat(granted(granted, c.repository())).isEqualTo(c.granted());
  }

  @Test
  void anExclusionOnlyListGrantsEveryRepositoryOfTheAccountAndRegion() {
    List<String> granted = grantedRepositories(Map.of("RepositoryImageTagFilters", "!legacy/*:*"));

    assertThat(granted).containsExactly(repositoryArn("*"));
    assertThat(granted(granted, "team/app")).isTrue();
  }

  @Test
  void defaultFiltersGrantEveryRepositoryOfTheStacksAccountAndRegionOnly() {
    List<String> granted = grantedRepositories(Map.of());

    assertThat(granted).allMatch(arn -> arn.equals(repositoryArn("*")));
    assertThat(granted.stream().anyMatch(p -> CfnEvaluator.iamResourceMatches(p,
        "arn:aws:ecr:us-east-1:" + CfnEvaluator.ACCOUNT + ":repository/any"))).isFalse();
    assertThat(granted.stream().anyMatch(p -> CfnEvaluator.iamResourceMatches(p,
        "arn:aws:ecr:" + CfnEvaluator.REGION + ":999999999999:repository/any"))).isFalse();
  }

  // ---- defect 3: whole numbers ----

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "SpanSizeBytes, 4194304, 1048576, 1073741824",
      "MinLayerSizeBytes, 10485760, 0, 999999999999999",
      "IndexerMemoryMiB, 3008, 512, 10240",
      "IndexerReservedConcurrency, 0, 0, 10000",
      "BackfillInvokesPerMinute, 20, 1, 60000",
      "ZtocCacheDays, 90, 1, 36500",
      "BlobConnections, 4, 1, 16"})
  void wholeNumberParametersRejectDecimalsAtDeployTime(String parameter, String defaultValue, long min, long max) {
    Map<String, Object> p = map(t.parameters().get(parameter));
    Pattern pattern = allowedPattern(parameter);

    assertThat(p.get("Type")).isEqualTo("String");
    assertThat(p.get("Default")).isEqualTo(defaultValue);
    assertThat(p.get("ConstraintDescription").toString()).contains("whole number");
    assertThat(List.of(defaultValue, Long.toString(min), Long.toString(max), Long.toString((min + max) / 2)))
        .allMatch(v -> pattern.matcher(v).matches());
    List<String> rejected = new ArrayList<>(List.of(defaultValue + ".5", defaultValue + ".0", "1e6", "-1", "",
        " " + defaultValue, defaultValue + " ", "0" + max, "+" + max, Long.toString(max + 1), "0x10"));
    if (min > 0) {
      rejected.add(Long.toString(min - 1));
    }
    assertThat(rejected).noneMatch(v -> pattern.matcher(v).matches());
  }

  // ---- defect 4: reserved concurrency 0 = unreserved ----

  @Test
  void reservedConcurrencyZeroLeavesTheIndexerUnreserved() {
    Object reserved = t.properties(indexer()).get("ReservedConcurrentExecutions");

    assertThat(t.deployed(Map.of()).evaluate(reserved)).isSameAs(CfnEvaluator.NO_VALUE);
    assertThat(t.deployed(Map.of("IndexerReservedConcurrency", "0")).evaluate(reserved))
        .isSameAs(CfnEvaluator.NO_VALUE);
    assertThat(t.deployed(Map.of("IndexerReservedConcurrency", "10")).evaluate(reserved)).isEqualTo("10");
    assertThat(map(t.parameters().get("IndexerReservedConcurrency")).get("Description").toString())
        .contains("0 (the default) leaves the indexer unreserved").contains("quota minus 100");
  }

  // ---- trigger ----

  @Test
  void pushRuleMatchesSuccessfulEcrPushesInTheStacksAccountAndRegion() {
    assertThat(t.properties(pushRule()).get("EventPattern")).isEqualTo(Map.of(
        "source", List.of("aws.ecr"),
        "detail-type", List.of("ECR Image Action"),
        "account", List.of(Map.of("Ref", "AWS::AccountId")),
        "region", List.of(Map.of("Ref", "AWS::Region")),
        "detail", Map.of("action-type", List.of("PUSH"), "result", List.of("SUCCESS"))));
    Map<String, Object> target = target(pushRule(), filter());
    assertThat(((Number) map(target.get("RetryPolicy")).get("MaximumRetryAttempts")).intValue()).isPositive();
    assertThat(map(target.get("DeadLetterConfig")).get("Arn"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of(deadLetterQueue(), "Arn")));
  }

  @Test
  void eventBridgeMayInvokeTheFilterFromThePushRuleTheReporterFromTheFailureRuleAndTheSweepFromItsRulesOnly() {
    Map<Object, Set<Object>> sources = new HashMap<>();
    for (String permission : t.ofType("AWS::Lambda::Permission")) {
      Map<String, Object> p = t.properties(permission);
      assertThat(p.get("Principal")).isEqualTo("events.amazonaws.com");
      assertThat(sources.computeIfAbsent(p.get("FunctionName"), f -> new LinkedHashSet<>()).add(p.get("SourceArn")))
          .isTrue();
    }
    assertThat(sources).containsOnly(
        Map.entry(getAtt(filter(), "Arn"), Set.of(getAtt(pushRule(), "Arn"))),
        Map.entry(getAtt(reporter(), "Arn"), Set.of(getAtt(failureRule(), "Arn"))),
        // no condition needed on the schedule's permission: a disabled rule invokes nothing
        Map.entry(getAtt(sweep(), "Arn"),
            Set.of(getAtt(sweepScheduleRule(), "Arn"), getAtt(sweepDeployedRule(), "Arn"))));
  }

  private static Map<String, Object> getAtt(String logicalId, String attribute) {
    return Map.of("Fn::GetAtt", List.of(logicalId, attribute));
  }

  // ---- functions ----

  @Test
  void everyFunctionRunsJava25OnArm64WithJsonLogsLambdaCanFilterByLevel() {
    template.resourceCountIs("AWS::Lambda::Function", 4);
    for (String handler : List.of(FILTER_HANDLER, INDEXER_HANDLER, FAILURE_HANDLER, SWEEP_HANDLER)) {
      template.hasResourceProperties("AWS::Lambda::Function", Map.of(
          "Handler", handler,
          "Runtime", "java25",
          "Architectures", List.of("arm64"),
          "LoggingConfig", Match.objectLike(Map.of("LogFormat", "JSON", "ApplicationLogLevel", "INFO",
              "SystemLogLevel", "INFO"))));
    }
  }

  @Test
  void functionsAreUploadedFromTheGivenJarsAsIsAndTheReporterSharesTheIndexersJar() throws IOException {
    Path assembly = Path.of(app.getOutdir());
    Map<String, Path> jarOf = Map.of(filter(), artifacts.filterJar(), indexer(), artifacts.indexerJar(),
        reporter(), artifacts.indexerJar(), sweep(), artifacts.filterJar());
    for (Map.Entry<String, Path> e : jarOf.entrySet()) {
      String key = map(t.properties(e.getKey()).get("Code")).get("S3Key").toString();
      assertThat(key).endsWith(".jar");
      Path staged = assembly.resolve("asset." + key);
      assertThat(Files.mismatch(staged, e.getValue())).as("staged %s", staged).isEqualTo(-1L);
    }
  }

  @Test
  void filterEnvironmentIsWiredToParametersAndTheIndexer() {
    Map<String, Object> env = t.environment(filter());

    assertThat(env).containsOnlyKeys("FILTERS", "INDEXER_FUNCTION_NAME", "SOCI_TAG_SUFFIX", "INDEX_UNTAGGED",
        "EXPECTED_ACCOUNT_ID");
    assertThat(env.get("FILTERS")).isEqualTo(Map.of("Ref", "RepositoryImageTagFilters"));
    assertThat(env.get("SOCI_TAG_SUFFIX")).isEqualTo(Map.of("Ref", "SociTagSuffix"));
    assertThat(env.get("INDEX_UNTAGGED")).isEqualTo(Map.of("Ref", "IndexUntaggedPushes"));
    assertThat(env.get("EXPECTED_ACCOUNT_ID")).isEqualTo(Map.of("Ref", "AWS::AccountId"));
    assertThat(t.deployed(Map.of()).evaluateString(env.get("INDEXER_FUNCTION_NAME")))
        .isEqualTo(t.physicalName(indexer()));
  }

  @Test
  void indexerAndReporterEnvironmentsAreWiredToParameters() {
    for (String function : List.of(indexer(), reporter())) {
      Map<String, Object> env = new HashMap<>(t.environment(function));
      // The indexer alone runs C2 (CPU-bound for seconds to minutes); the reporter keeps Lambda's C1 default.
      if (function.equals(indexer())) {
        assertThat(env.remove("JAVA_TOOL_OPTIONS")).isEqualTo("-XX:+TieredCompilation -XX:TieredStopAtLevel=4"
            + " -XX:CompileCommand=quiet -XX:CompileCommand=CompileThresholdScaling,com.sun.crypto.provider.*::*,0.05");
      }
      assertThat(env).containsOnlyKeys("SOCI_INDEX_VERSION", "SPAN_SIZE_BYTES", "MIN_LAYER_SIZE_BYTES",
          "BLOB_CONNECTIONS", "SOCI_TAG_SUFFIX", "RESULT_EVENT_BUS_NAME", "ZTOC_CACHE_BUCKET", "ZTOC_CACHE_PREFIX", "SOCI_OPTIMIZATIONS",
          "ZTOC_LIMITS");
      assertThat(env).containsEntry("SOCI_INDEX_VERSION", Map.of("Ref", "SociIndexVersion"))
          .containsEntry("SPAN_SIZE_BYTES", Map.of("Ref", "SpanSizeBytes"))
          .containsEntry("MIN_LAYER_SIZE_BYTES", Map.of("Ref", "MinLayerSizeBytes"))
          .containsEntry("BLOB_CONNECTIONS", Map.of("Ref", "BlobConnections"))
          .containsEntry("SOCI_TAG_SUFFIX", Map.of("Ref", "SociTagSuffix"))
          .containsEntry("SOCI_OPTIMIZATIONS", Map.of("Ref", "SociOptimizations"))
          .containsEntry("ZTOC_LIMITS", Map.of("Ref", "ZtocLimits"))
          .containsEntry("ZTOC_CACHE_BUCKET", Map.of("Ref", bucket()))
          .containsEntry("ZTOC_CACHE_PREFIX", "ztoc/");
      assertThat(t.deployed(Map.of()).evaluateString(env.get("RESULT_EVENT_BUS_NAME")))
          .isEqualTo("arn:aws:events:" + CfnEvaluator.REGION + ":" + CfnEvaluator.ACCOUNT + ":event-bus/default");
    }
  }

  @Test
  void indexerRunsFifteenMinutesWithMemoryFromAParameter() {
    Map<String, Object> indexer = t.properties(indexer());

    assertThat(((Number) indexer.get("Timeout")).intValue()).isEqualTo(900);
    assertThat(indexer.get("MemorySize")).isEqualTo(Map.of("Ref", "IndexerMemoryMiB"));
  }

  // ---- defect 6: a final result event for every request ----

  @Test
  void indexerRetriesTwiceThenPutsItsFailureRecordOnTheDefaultBus() {
    Map<String, Object> config = t.invokeConfigOf(indexer());

    assertThat(((Number) config.get("MaximumRetryAttempts")).intValue()).isEqualTo(2);
    assertThat(((Number) config.get("MaximumEventAgeInSeconds")).intValue()).isEqualTo(6 * 3600);
    Object destination = map(map(config.get("DestinationConfig")).get("OnFailure")).get("Destination");
    assertThat(t.deployed(Map.of()).evaluateString(destination))
        .isEqualTo("arn:aws:events:" + CfnEvaluator.REGION + ":" + CfnEvaluator.ACCOUNT + ":event-bus/default");
    // Lambda delivers the record with the function's role.
    Object putEvents = t.deployed(Map.of()).evaluate(
        statementWith(t.statementsOf(t.roleOf(indexer())), "events:PutEvents").get("Resource"));
    assertThat(strings(putEvents)).contains(destinationArn());
  }

  private static String destinationArn() {
    return "arn:aws:events:" + CfnEvaluator.REGION + ":" + CfnEvaluator.ACCOUNT + ":event-bus/default";
  }

  @Test
  void theIndexersFailureRecordsGoToTheFailureQueueAndTheReporterAndNothingElseDoes() throws IOException {
    Map<String, Object> rule = t.properties(failureRule());
    assertThat(rule).doesNotContainKey("EventBusName"); // the default bus, where Lambda puts the records
    Map<String, Object> pattern = resolvedPattern(map(rule.get("EventPattern")));
    String indexerArn = t.refOf(indexer() + ".Arn");
    Map<String, Object> record = sampleEvent("indexer-failure-record.json");

    assertThat(EventPatternMatcher.matches(pattern, withFunctionArn(record, indexerArn + ":$LATEST"))).isTrue();
    assertThat(EventPatternMatcher.matches(pattern, withFunctionArn(record, indexerArn))).isTrue();
    assertThat(EventPatternMatcher.matches(pattern, withFunctionArn(record, t.refOf(filter() + ".Arn") + ":$LATEST")))
        .as("the filter's records").isFalse();
    assertThat(EventPatternMatcher.matches(pattern, withFunctionArn(record, indexerArn + "Other:$LATEST")))
        .as("another function whose name starts alike").isFalse();
    Map<String, Object> success = withFunctionArn(record, indexerArn + ":$LATEST");
    success.put("detail-type", "Lambda Function Invocation Result - Success");
    assertThat(EventPatternMatcher.matches(pattern, success)).isFalse();
    for (String target : List.of(failureQueue(), reporter())) {
      Map<String, Object> props = target(failureRule(), target);
      assertThat(map(props.get("DeadLetterConfig")).get("Arn"))
          .isEqualTo(Map.of("Fn::GetAtt", List.of(deadLetterQueue(), "Arn")));
    }
  }

  private static Map<String, Object> resolvedPattern(Map<String, Object> pattern) {
    CfnEvaluator deployed = t.deployed(Map.of());
    Map<String, Object> out = new HashMap<>();
    pattern.forEach((k, v) -> {
      if (v instanceof Map<?, ?> m) {
        out.put(k, resolvedPattern(map(m)));
      } else {
        List<Object> alternatives = new ArrayList<>();
        for (Object a : list(v)) {
          if (a instanceof Map<?, ?> m && m.containsKey("prefix")) {
            alternatives.add(Map.of("prefix", deployed.evaluateString(m.get("prefix"))));
          } else {
            alternatives.add(deployed.evaluateString(a));
          }
        }
        out.put(k, alternatives);
      }
    });
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> withFunctionArn(Map<String, Object> record, String arn) {
    Map<String, Object> copy = new ObjectMapper().convertValue(record, new TypeReference<Map<String, Object>>() {});
    ((Map<String, Object>) ((Map<String, Object>) copy.get("detail")).get("requestContext")).put("functionArn", arn);
    return copy;
  }

  private static Map<String, Object> sampleEvent(String file) throws IOException {
    try (InputStream in = SociIndexBuilderStackTest.class.getClassLoader().getResourceAsStream("events/" + file)) {
      assertThat(in).as("events/%s", file).isNotNull();
      return new ObjectMapper().readValue(in, new TypeReference<Map<String, Object>>() {});
    }
  }

  @Test
  void theReporterPutsOnTheResultBusAndItsOwnFailuresGoToTheDeadLetterQueue() {
    Map<String, Object> config = t.invokeConfigOf(reporter());
    assertThat(map(map(config.get("DestinationConfig")).get("OnFailure")).get("Destination"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of(deadLetterQueue(), "Arn")));
    Map<String, Object> put = statementWith(t.statementsOf(t.roleOf(reporter())), "events:PutEvents");
    assertThat(t.deployed(Map.of("ResultEventBusName", "pipes")).evaluate(put.get("Resource")))
        .isEqualTo("arn:aws:events:" + CfnEvaluator.REGION + ":" + CfnEvaluator.ACCOUNT + ":event-bus/pipes");
  }

  @Test
  void filterFailuresGoToTheDeadLetterQueue() {
    Map<String, Object> config = t.invokeConfigOf(filter());

    assertThat(((Number) config.get("MaximumRetryAttempts")).intValue()).isEqualTo(2);
    assertThat(map(map(config.get("DestinationConfig")).get("OnFailure")).get("Destination"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of(deadLetterQueue(), "Arn")));
  }

  // ---- the sweep (issue 11) ----

  @Test
  void sweepRunsUnreservedForFifteenMinutesAndMayChainItselfRetriedLikeTheOthers() {
    Map<String, Object> sweep = t.properties(sweep());

    assertThat(((Number) sweep.get("Timeout")).intValue()).isEqualTo(900);
    assertThat(((Number) sweep.get("MemorySize")).intValue()).isEqualTo(512);
    // Unreserved: an account with the default concurrency quota can deploy the stack.
    assertThat(sweep).doesNotContainKey("ReservedConcurrentExecutions");
    assertThat(sweep.get("RecursiveLoop")).isEqualTo("Allow");
    Map<String, Object> config = t.invokeConfigOf(sweep());
    assertThat(((Number) config.get("MaximumRetryAttempts")).intValue()).isEqualTo(2);
    assertThat(((Number) config.get("MaximumEventAgeInSeconds")).intValue()).isEqualTo(6 * 3600);
    // The chain Lambda is told to allow is bounded.
    assertThat(t.environment(sweep())).containsEntry("MAX_RUNS_PER_SWEEP", "96")
        .containsEntry("MAX_INVOKES_PER_SWEEP", "10000");
  }

  @Test
  void sweepEnvironmentHasTheFiltersTheIndexerAndThePaceFromParameters() {
    Map<String, Object> env = t.environment(sweep());

    assertThat(env).containsOnlyKeys("FILTERS", "INDEXER_FUNCTION_NAME", "SOCI_TAG_SUFFIX", "EXPECTED_ACCOUNT_ID",
        "SOCI_INDEX_VERSION", "MAX_INVOKES_PER_MINUTE", "MAX_INVOKES_PER_SWEEP", "MAX_RUNS_PER_SWEEP");
    Map<String, Object> filterEnv = t.environment(filter());
    for (String shared : List.of("FILTERS", "INDEXER_FUNCTION_NAME", "SOCI_TAG_SUFFIX", "EXPECTED_ACCOUNT_ID")) {
      assertThat(env.get(shared)).as(shared).isEqualTo(filterEnv.get(shared));
    }
    assertThat(env.get("SOCI_INDEX_VERSION")).isEqualTo(Map.of("Ref", "SociIndexVersion"));
    assertThat(env.get("MAX_INVOKES_PER_MINUTE")).isEqualTo(Map.of("Ref", "BackfillInvokesPerMinute"));
    assertThat(map(t.parameters().get("BackfillInvokesPerMinute")).get("Description").toString())
        .contains("reserved concurrency x 60 / the seconds an image takes");
  }

  @Test
  void sweepListsEveryRepositoryButDescribesImagesOnlyWhereTheIndexerMayWrite() {
    List<Map<String, Object>> statements = t.statementsOf(t.roleOf(sweep()));
    Map<String, Object> list = statementWith(statements, "ecr:DescribeRepositories");
    Map<String, Object> describe = statementWith(statements, "ecr:DescribeImages");

    assertThat(strings(list.get("Action"))).containsExactly("ecr:DescribeRepositories");
    assertThat(t.deployed(Map.of("RepositoryImageTagFilters", "team/*:*")).evaluate(list.get("Resource")))
        .isEqualTo(repositoryArn("*"));
    assertThat(strings(describe.get("Action"))).containsExactly("ecr:DescribeImages");
    Object indexerGrant = statementWith(t.statementsOf(t.roleOf(indexer())), "ecr:BatchGetImage").get("Resource");
    assertThat(describe.get("Resource")).isEqualTo(indexerGrant);
    for (String filters : List.of("team/*:*,!team/x:*", "!legacy/*:*", "a:b,c/*:v?")) {
      CfnEvaluator deployed = t.deployed(Map.of("RepositoryImageTagFilters", filters));
      assertThat(deployed.evaluate(describe.get("Resource"))).as(filters).isEqualTo(deployed.evaluate(indexerGrant));
    }
    // Only ECR listing, the indexer and itself: nothing to pull or push.
    assertThat(statements.stream().flatMap(s -> strings(s.get("Action")).stream()).distinct())
        .containsExactlyInAnyOrder("logs:CreateLogStream", "logs:PutLogEvents", "ecr:DescribeRepositories",
            "ecr:DescribeImages", "lambda:InvokeFunction");
  }

  @Test
  void sweepRunsOnTheBackfillScheduleUnlessItIsNone() {
    Map<String, Object> rule = t.properties(sweepScheduleRule());
    Pattern pattern = allowedPattern("BackfillSchedule");

    CfnEvaluator defaults = t.deployed(Map.of());
    assertThat(defaults.evaluate(rule.get("ScheduleExpression"))).isEqualTo("rate(1 day)");
    assertThat(defaults.evaluate(rule.get("State"))).isEqualTo("ENABLED");
    CfnEvaluator hourly = t.deployed(Map.of("BackfillSchedule", "rate(6 hours)"));
    assertThat(hourly.evaluate(rule.get("ScheduleExpression"))).isEqualTo("rate(6 hours)");
    assertThat(hourly.evaluate(rule.get("State"))).isEqualTo("ENABLED");
    // none: the rule stays, disabled, with an expression EventBridge accepts
    CfnEvaluator none = t.deployed(Map.of("BackfillSchedule", "none"));
    assertThat(none.evaluate(rule.get("State"))).isEqualTo("DISABLED");
    assertThat(pattern.matcher(none.evaluateString(rule.get("ScheduleExpression"))).matches()).isTrue();
    assertThat(none.evaluateString(rule.get("ScheduleExpression"))).isNotEqualTo("none");
    template.hasParameter("BackfillSchedule", Map.of("Type", "String", "Default", "rate(1 day)",
        "Description", Match.anyValue()));
    assertThat(List.of("none", "rate(1 day)", "rate(1 minute)", "rate(12 hours)", "rate(30 minutes)",
        "rate(14 days)", "cron(0 3 * * ? *)", "cron(15 10 ? * MON-FRI *)", "cron(0/30 8-18 L * ? 2026)"))
        .allMatch(v -> pattern.matcher(v).matches());
    assertThat(List.of("", "None", "rate(1 days)", "rate(2 day)", "rate(0 minutes)", "rate(1 second)",
        "rate(1.5 hours)", "rate(01 day)", "cron(0 3 * * ?)", "cron(0 3 * * ? * *)", "cron()", " rate(1 day)",
        "rate(1 day) ", "at(2026-01-01T00:00:00)"))
        .noneMatch(v -> pattern.matcher(v).matches());
  }

  @Test
  void sweepRunsOnceAfterEachDeploymentOfThisStack() throws IOException {
    Map<String, Object> rule = t.properties(sweepDeployedRule());
    assertThat(rule).doesNotContainKey("EventBusName"); // the default bus, where CloudFormation puts its events
    assertThat(map(rule.get("EventPattern"))).containsEntry("source", List.of("aws.cloudformation"))
        .containsEntry("detail-type", List.of("CloudFormation Stack Status Change"));
    Map<String, Object> pattern = resolvedPattern(map(rule.get("EventPattern")));
    Map<String, Object> sample = sampleEvent("sweep-stack-update-complete.json");

    assertThat(EventPatternMatcher.matches(pattern, stackEvent(sample, t.stackId(), "UPDATE_COMPLETE"))).isTrue();
    assertThat(EventPatternMatcher.matches(pattern, stackEvent(sample, t.stackId(), "CREATE_COMPLETE"))).isTrue();
    for (String status : List.of("UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE", "ROLLBACK_COMPLETE", "DELETE_COMPLETE", "CREATE_FAILED")) {
      assertThat(EventPatternMatcher.matches(pattern, stackEvent(sample, t.stackId(), status))).as(status).isFalse();
    }
    String otherStack = t.stackId().replace(":stack/" + stack.getStackName() + "/", ":stack/Other/");
    assertThat(EventPatternMatcher.matches(pattern, stackEvent(sample, otherStack, "UPDATE_COMPLETE")))
        .as("another stack's deployment").isFalse();
    // the sample as it is: another account's stack
    assertThat(EventPatternMatcher.matches(pattern, sample)).isFalse();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> stackEvent(Map<String, Object> sample, String stackId, String status) {
    Map<String, Object> copy = new ObjectMapper().convertValue(sample, new TypeReference<Map<String, Object>>() {});
    Map<String, Object> detail = (Map<String, Object>) copy.get("detail");
    detail.put("stack-id", stackId);
    ((Map<String, Object>) detail.get("status-details")).put("status", status);
    return copy;
  }

  @Test
  void lostSweepTriggersGoToTheDeadLetterQueueAndSweepErrorsAlarm() {
    for (String rule : List.of(sweepScheduleRule(), sweepDeployedRule())) {
      Map<String, Object> target = target(rule, sweep());
      assertThat(map(target.get("DeadLetterConfig")).get("Arn")).isEqualTo(getAtt(deadLetterQueue(), "Arn"));
      assertThat(((Number) map(target.get("RetryPolicy")).get("MaximumRetryAttempts")).intValue()).isPositive();
    }
    assertThat(t.ofType("AWS::CloudWatch::Alarm").stream().map(t::properties)
        .filter(a -> map(onlyElement(list(a.get("Dimensions")))).get("Value").equals(Map.of("Ref", sweep()))))
        .singleElement().satisfies(a -> assertThat(a.get("MetricName")).isEqualTo("Errors"));
  }

  @Test
  void selfInvokePolicyIsSeparateFromTheRolesDefaultPolicyToAvoidACycle() {
    String selfPolicy = onlyElement(t.ofType("AWS::IAM::Policy").stream()
        .filter(p -> t.parameterRefs(t.properties(p)).isEmpty()
            && t.properties(p).toString().contains("lambda:InvokeFunction")
            && t.properties(p).toString().contains(sweep()))
        .toList());
    List<String> dependsOn = strings(t.resource(sweep()).getOrDefault("DependsOn", List.of()));

    assertThat(dependsOn).doesNotContain(selfPolicy);
    assertThat(t.properties(selfPolicy).get("Roles")).isEqualTo(List.of(Map.of("Ref", t.roleOf(sweep()))));
  }

  // ---- the zTOC cache (issue 12) ----

  @Test
  void ztocCacheBucketIsEncryptedPrivateOwnerEnforcedUnversionedAndKept() {
    Map<String, Object> props = t.properties(bucket());

    assertThat(props.get("BucketEncryption")).isEqualTo(Map.of("ServerSideEncryptionConfiguration",
        List.of(Map.of("ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256")))));
    assertThat(props.get("PublicAccessBlockConfiguration")).isEqualTo(Map.of("BlockPublicAcls", true,
        "BlockPublicPolicy", true, "IgnorePublicAcls", true, "RestrictPublicBuckets", true));
    assertThat(props.get("OwnershipControls"))
        .isEqualTo(Map.of("Rules", List.of(Map.of("ObjectOwnership", "BucketOwnerEnforced"))));
    assertThat(props).doesNotContainKeys("VersioningConfiguration", "BucketName");
    assertThat(t.resource(bucket())).containsEntry("DeletionPolicy", "Retain")
        .containsEntry("UpdateReplacePolicy", "Retain");
    // RETAIN: no custom resource to empty it
    assertThat(t.resources().values()).noneMatch(r -> map(r).get("Type").toString().startsWith("Custom::"));
  }

  @Test
  void ztocCacheBucketDeniesEveryRequestWithoutTls() {
    Map<String, Object> policy = t.properties(t.onlyOfType("AWS::S3::BucketPolicy"));
    Map<String, Object> deny = map(onlyElement(list(map(policy.get("PolicyDocument")).get("Statement"))));

    assertThat(policy.get("Bucket")).isEqualTo(Map.of("Ref", bucket()));
    assertThat(deny).containsEntry("Effect", "Deny").containsEntry("Action", "s3:*")
        .containsEntry("Principal", Map.of("AWS", "*"))
        .containsEntry("Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")));
    String arn = t.refOf(bucket() + ".Arn");
    assertThat(t.deployed(Map.of()).evaluate(deny.get("Resource"))).isEqualTo(List.of(arn, arn + "/*"));
  }

  @Test
  void ztocCacheEntriesExpireZtocCacheDaysAfterTheirLastWriteAndUploadsAfterADay() {
    Map<String, Object> rule = map(onlyElement(list(map(t.properties(bucket()).get("LifecycleConfiguration"))
        .get("Rules"))));

    assertThat(rule).containsEntry("Status", "Enabled").containsEntry("Prefix", "ztoc/")
        .containsEntry("ExpirationInDays", Map.of("Ref", "ZtocCacheDays"))
        .containsEntry("AbortIncompleteMultipartUpload", Map.of("DaysAfterInitiation", 1));
    assertThat(t.deployed(Map.of()).evaluate(expirationDays())).isEqualTo("90");
    assertThat(map(t.parameters().get("ZtocCacheDays")).get("Description").toString())
        .contains("count from the entry's last use");
  }

  private static Object expirationDays() {
    return map(onlyElement(list(map(t.properties(bucket()).get("LifecycleConfiguration")).get("Rules"))))
        .get("ExpirationInDays");
  }

  @Test
  void onlyTheIndexerMayUseTheZtocCacheAndOnlyUnderItsPrefix() {
    List<Map<String, Object>> statements = t.statementsOf(t.roleOf(indexer()));
    Map<String, Object> entries = statementWith(statements, "s3:GetObject");
    Map<String, Object> listing = statementWith(statements, "s3:ListBucket");
    CfnEvaluator deployed = t.deployed(Map.of());
    String arn = t.refOf(bucket() + ".Arn");

    assertThat(strings(entries.get("Action")))
        .containsExactlyInAnyOrder("s3:GetObject", "s3:PutObject", "s3:DeleteObject");
    assertThat(deployed.evaluate(entries.get("Resource"))).isEqualTo(arn + "/ztoc/*");
    assertThat(strings(listing.get("Action"))).containsExactly("s3:ListBucket");
    assertThat(deployed.evaluate(listing.get("Resource"))).isEqualTo(arn);
    assertThat(t.allStatements().stream().filter(s -> strings(s.get("Action")).stream()
        .anyMatch(a -> a.startsWith("s3:")))).containsExactlyInAnyOrder(entries, listing);
  }

  // ---- SOCI optimizations and zTOC limits (issue 13) ----

  @Test
  void sociOptimizationsAreNoneOrXattr() {
    template.hasParameter("SociOptimizations", Map.of("Type", "String", "Default", "",
        "AllowedValues", List.of("", "xattr"), "Description", Match.anyValue()));
    assertThat(t.deployed(Map.of()).evaluate(t.environment(indexer()).get("SOCI_OPTIMIZATIONS"))).isEqualTo("");
  }

  @Test
  void ztocLimitsPatternAcceptsWhatTheIndexerParses() {
    Pattern pattern = allowedPattern("ZtocLimits");
    List<String> accepted = List.of("", "toc-entries=1000000", "toc-entries=1000000,ztoc-bytes=256MiB",
        "xattr-bytes=1GiB,min-span-size=4KiB", "ztoc-bytes=1024,toc-entries=5,xattr-bytes=7,min-span-size=1");

    assertThat(accepted).allMatch(v -> pattern.matcher(v).matches());
    for (String v : accepted) {
      assertThat(ZtocLimits.parse(v)).as(v).isNotNull();
    }
    assertThat(List.of("toc-entries", "toc-entries=", "toc-entries=0", "toc-entries=-1", "toc-entries=1.5",
        "toc-entries=1e6", "TOC-entries=1", "files=1", "ztoc-bytes=1 MiB", "ztoc-bytes=1MB", "ztoc-bytes=1mib",
        "toc-entries=1,", ",toc-entries=1", "toc-entries=1, ztoc-bytes=1", "a=1,b=2,c=3,d=4,e=5",
        "toc-entries=1,toc-entries=2,toc-entries=3,toc-entries=4,toc-entries=5"))
        .noneMatch(v -> pattern.matcher(v).matches());
    assertThat(t.deployed(Map.of()).evaluate(t.environment(indexer()).get("ZTOC_LIMITS"))).isEqualTo("");
  }

  @Test
  void queuesAreEncryptedRequireTlsAndKeepMessagesTwoWeeksForReplay() {
    template.resourceCountIs("AWS::SQS::Queue", 2);
    for (String queue : List.of(deadLetterQueue(), failureQueue())) {
      Map<String, Object> props = t.properties(queue);
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
  void onlyTheRulesMaySendToTheQueues() {
    Map<String, Set<Object>> sendersByQueue = new HashMap<>();
    for (String policy : t.ofType("AWS::SQS::QueuePolicy")) {
      Map<String, Object> props = t.properties(policy);
      String queue = map(onlyElement(list(props.get("Queues")))).get("Ref").toString();
      for (Object s : list(map(props.get("PolicyDocument")).get("Statement"))) {
        Map<String, Object> statement = map(s);
        if (statement.get("Effect").equals("Allow")) {
          assertThat(statement.get("Principal")).isEqualTo(Map.of("Service", "events.amazonaws.com"));
          sendersByQueue.computeIfAbsent(queue, q -> new LinkedHashSet<>())
              .add(map(map(statement.get("Condition")).get("ArnEquals")).get("aws:SourceArn"));
        }
      }
    }
    Object push = Map.of("Fn::GetAtt", List.of(pushRule(), "Arn"));
    Object failures = Map.of("Fn::GetAtt", List.of(failureRule(), "Arn"));
    assertThat(sendersByQueue).containsOnly(
        Map.entry(deadLetterQueue(), Set.of(push, failures, getAtt(sweepScheduleRule(), "Arn"),
            getAtt(sweepDeployedRule(), "Arn"))),
        Map.entry(failureQueue(), Set.of(failures)));
  }

  @Test
  void eachFunctionLogsToItsOwnLogGroupWithRetention() {
    template.resourceCountIs("AWS::Logs::LogGroup", 4);
    assertThat(functions().stream().map(t::logGroupOf).distinct()).hasSize(4);
    for (String function : functions()) {
      Map<String, Object> props = t.properties(t.logGroupOf(function));
      assertThat(((Number) props.get("RetentionInDays")).intValue()).isEqualTo(30);
    }
  }

  // ---- item 5: alarms ----

  @Test
  void alarmsWatchBothQueuesTheIndexersErrorsAndThrottlesAndTheFiltersAndTheSweepsErrors() {
    Map<String, String> expected = Map.of(
        deadLetterQueue(), "AWS/SQS ApproximateNumberOfMessagesVisible",
        failureQueue(), "AWS/SQS ApproximateNumberOfMessagesVisible",
        indexer() + " Errors", "AWS/Lambda Errors",
        indexer() + " Throttles", "AWS/Lambda Throttles",
        filter() + " Errors", "AWS/Lambda Errors",
        sweep() + " Errors", "AWS/Lambda Errors");
    Map<String, String> actual = new HashMap<>();
    CfnEvaluator deployed = t.deployed(Map.of());
    String createdTopic = t.refOf(t.onlyOfType("AWS::SNS::Topic"));
    for (String alarm : t.ofType("AWS::CloudWatch::Alarm")) {
      Map<String, Object> props = t.properties(alarm);
      Map<String, Object> dimension = map(onlyElement(list(props.get("Dimensions"))));
      Map<String, Object> value = map(dimension.get("Value"));
      String watched = value.containsKey("Ref") ? value.get("Ref").toString()
          : list(value.get("Fn::GetAtt")).get(0).toString();
      String key = props.get("Namespace").equals("AWS/Lambda") ? watched + " " + props.get("MetricName") : watched;
      actual.put(key, props.get("Namespace") + " " + props.get("MetricName"));
      assertThat(((Number) props.get("Threshold")).intValue()).isEqualTo(1);
      assertThat(props.get("ComparisonOperator")).isEqualTo("GreaterThanOrEqualToThreshold");
      assertThat(props.get("TreatMissingData")).isEqualTo("notBreaching");
      assertThat(deployed.evaluate(props.get("AlarmActions"))).isEqualTo(List.of(createdTopic));
      assertThat(deployed.evaluate(props.get("OKActions"))).isEqualTo(List.of(createdTopic));
      assertThat(props.get("AlarmDescription").toString()).isNotBlank();
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void alarmTopicIsCreatedUnlessAnExistingOneIsNamedAndMailIsSubscribedOnlyIfGiven() {
    String topic = t.onlyOfType("AWS::SNS::Topic");
    String subscription = t.onlyOfType("AWS::SNS::Subscription");
    String existing = "arn:aws:sns:" + CfnEvaluator.REGION + ":" + CfnEvaluator.ACCOUNT + ":ops";
    String alarm = t.ofType("AWS::CloudWatch::Alarm").get(0);

    CfnEvaluator defaults = t.deployed(Map.of());
    assertThat(defaults.condition(t.resource(topic).get("Condition").toString())).isTrue();
    assertThat(defaults.condition(t.resource(subscription).get("Condition").toString())).isFalse();

    CfnEvaluator given = t.deployed(Map.of("AlarmTopicArn", existing, "AlarmEmail", "ops@example.com"));
    assertThat(given.condition(t.resource(topic).get("Condition").toString())).isFalse();
    assertThat(given.evaluate(t.properties(alarm).get("AlarmActions"))).isEqualTo(List.of(existing));
    assertThat(given.condition(t.resource(subscription).get("Condition").toString())).isTrue();
    assertThat(given.evaluate(t.properties(subscription).get("TopicArn"))).isEqualTo(existing);
    assertThat(given.evaluate(t.properties(subscription).get("Endpoint"))).isEqualTo("ops@example.com");
    assertThat(t.properties(subscription).get("Protocol")).isEqualTo("email");
    // The topic's TLS-only policy exists exactly when the topic does.
    String topicPolicy = t.onlyOfType("AWS::SNS::TopicPolicy");
    assertThat(t.resource(topicPolicy).get("Condition")).isEqualTo(t.resource(topic).get("Condition"));
  }

  // ---- item 8: permissions boundary ----

  @Test
  void everyRoleGetsThePermissionsBoundaryOnlyWhenOneIsGiven() {
    String boundary = "arn:aws:iam::" + CfnEvaluator.ACCOUNT + ":policy/platform/boundary";
    List<String> roles = t.ofType("AWS::IAM::Role");
    assertThat(roles).hasSize(4);
    for (String role : roles) {
      Object value = t.properties(role).get("PermissionsBoundary");
      assertThat(t.deployed(Map.of()).evaluate(value)).isSameAs(CfnEvaluator.NO_VALUE);
      assertThat(t.deployed(Map.of("PermissionsBoundaryArn", boundary)).evaluate(value)).isEqualTo(boundary);
    }
    Pattern pattern = allowedPattern("PermissionsBoundaryArn");
    assertThat(List.of("", boundary, "arn:aws-cn:iam::123456789012:policy/b"))
        .allMatch(v -> pattern.matcher(v).matches());
    assertThat(List.of("boundary", "arn:aws:iam::123:policy/b", "arn:aws:iam::123456789012:role/b"))
        .noneMatch(v -> pattern.matcher(v).matches());
  }

  // ---- IAM ----

  @Test
  void noEcrPullOrPushActionIsGrantedOnEveryResource() {
    for (Map<String, Object> statement : t.allStatements()) {
      List<String> actions = strings(statement.get("Action"));
      if (actions.stream().anyMatch(a -> a.startsWith("ecr:") && !a.equals("ecr:GetAuthorizationToken"))) {
        assertThat(strings(statement.get("Resource"))).as("statement %s", statement).doesNotContain("*");
      }
      assertThat(actions).doesNotContain("*", "ecr:*", "lambda:*", "events:*", "sqs:*", "logs:*");
    }
  }

  @Test
  void indexerGetsAnEcrTokenAndOnlyThePullPushActionsItUses() {
    List<Map<String, Object>> statements = t.statementsOf(t.roleOf(indexer()));
    Map<String, Object> token = statementWith(statements, "ecr:GetAuthorizationToken");
    Map<String, Object> pullPush = statementWith(statements, "ecr:BatchGetImage");

    assertThat(strings(token.get("Action"))).containsExactly("ecr:GetAuthorizationToken");
    assertThat(token.get("Resource")).isEqualTo("*");
    assertThat(strings(pullPush.get("Action"))).containsExactlyInAnyOrderElementsOf(ECR_PULL_PUSH);
    assertThat(t.allStatements().stream().filter(s -> strings(s.get("Action")).contains("ecr:PutImage")))
        .hasSize(1);
  }

  @Test
  void theFilterAndTheSweepMayInvokeOnlyTheIndexerAndTheSweepItself() {
    List<Map<String, Object>> invokes = t.allStatements().stream()
        .filter(s -> strings(s.get("Action")).stream().anyMatch(a -> a.startsWith("lambda:")))
        .toList();
    Object indexerArn = getAtt(indexer(), "Arn");

    assertThat(invokes).hasSize(3).allSatisfy(s -> assertThat(s.get("Action")).isEqualTo("lambda:InvokeFunction"));
    assertThat(statementWith(t.statementsOf(t.roleOf(filter())), "lambda:InvokeFunction").get("Resource"))
        .isEqualTo(indexerArn);
    assertThat(statementOn(t.statementsOf(t.roleOf(sweep())), "lambda:InvokeFunction", indexer())
        .get("Resource")).isEqualTo(indexerArn);
    assertThat(statementOn(t.statementsOf(t.roleOf(sweep())), "lambda:InvokeFunction", sweep()).get("Resource"))
        .isEqualTo(List.of(getAtt(sweep(), "Arn"), Map.of("Fn::Join", List.of("", List.of(getAtt(sweep(), "Arn"),
            ":$LATEST")))));
  }

  /** The one statement with {@code action} whose resources mention {@code resource}. */
  private static Map<String, Object> statementOn(List<Map<String, Object>> statements, String action,
      String resource) {
    return onlyElement(statements.stream()
        .filter(s -> strings(s.get("Action")).contains(action) && s.get("Resource").toString().contains(resource))
        .toList());
  }

  @Test
  void onlyTheIndexerAndTheReporterMayPutEventsOnTheResultBusAndTheIndexerOnTheDefaultBus() {
    CfnEvaluator deployed = t.deployed(Map.of("ResultEventBusName", "pipes"));
    String pipes = "arn:aws:events:" + CfnEvaluator.REGION + ":" + CfnEvaluator.ACCOUNT + ":event-bus/pipes";
    assertThat(deployed.evaluate(statementWith(t.statementsOf(t.roleOf(indexer())), "events:PutEvents")
        .get("Resource"))).isEqualTo(List.of(pipes, destinationArn()));
    assertThat(t.allStatements().stream().filter(s -> strings(s.get("Action")).contains("events:PutEvents")))
        .hasSize(2);
  }

  @Test
  void functionsWriteOnlyToTheirOwnLogGroup() {
    for (String function : functions()) {
      Map<String, Object> logs = statementWith(t.statementsOf(t.roleOf(function)), "logs:PutLogEvents");
      assertThat(logs.get("Resource")).isEqualTo(Map.of("Fn::GetAtt", List.of(t.logGroupOf(function), "Arn")));
    }
    template.resourceCountIs("AWS::IAM::ManagedPolicy", 0);
    for (String role : t.ofType("AWS::IAM::Role")) {
      assertThat(t.properties(role)).as(role).doesNotContainKey("ManagedPolicyArns");
    }
  }

  // ---- parameters, names, outputs ----

  @Test
  void parametersHaveDefaultsAndConstraints() {
    template.hasParameter("RepositoryImageTagFilters", Map.of("Type", "String", "Default", "*:*",
        "AllowedPattern", Match.anyValue(), "Description", Match.anyValue()));
    template.hasParameter("SociIndexVersion", Map.of("Type", "String", "Default", "V2",
        "AllowedValues", List.of("V2", "V1"), "Description", Match.anyValue()));
    template.hasParameter("SociTagSuffix", Map.of("Type", "String", "Default", "-soci",
        "AllowedPattern", Match.anyValue(), "Description", Match.anyValue()));
    template.hasParameter("IndexUntaggedPushes", Map.of("Type", "String", "Default", "false",
        "AllowedValues", List.of("true", "false"), "Description", Match.anyValue()));
    template.hasParameter("ResultEventBusName", Map.of("Type", "String", "Default", "default",
        "AllowedPattern", Match.anyValue(), "Description", Match.anyValue()));
    for (String optional : List.of("AlarmEmail", "AlarmTopicArn", "PermissionsBoundaryArn")) {
      template.hasParameter(optional, Map.of("Type", "String", "Default", "", "AllowedPattern", Match.anyValue(),
          "Description", Match.stringLikeRegexp("^Optional: .*")));
    }
    template.hasParameter("ZtocLimits", Map.of("Type", "String", "Default", "", "AllowedPattern", Match.anyValue(),
        "Description", Match.stringLikeRegexp("^Optional: .*")));
    List<String> ours = t.parameters().keySet().stream().filter(p -> !p.equals("BootstrapVersion")).toList();
    assertThat(ours).hasSize(18);
    // No Number parameters: they take decimals (see wholeNumberParametersRejectDecimalsAtDeployTime).
    assertThat(ours).allSatisfy(p -> assertThat(map(t.parameters().get(p)).get("Type")).isEqualTo("String"));
  }

  @Test
  void filtersPatternAcceptsGlobsAndExclusionsOnly() {
    Pattern pattern = allowedPattern("RepositoryImageTagFilters");

    assertThat(List.of("*:*", "app:latest", "team/*:v?.*,!team/secret:*", "my.repo_x-1/sub:Tag_1.0-rc", "app:",
        String.join(",", java.util.Collections.nCopies(10, "a:b"))))
        .allMatch(v -> pattern.matcher(v).matches());
    assertThat(List.of("", "app", "App:latest", "a:b, c:d", "a:b,", ",a:b", "a:b:c", ":b", "a b:c",
        "!!a:b", String.join(",", java.util.Collections.nCopies(11, "a:b"))))
        .noneMatch(v -> pattern.matcher(v).matches());
  }

  @Test
  void optionalParametersTakeEmptyOrAValidValue() {
    assertThat(allowedPattern("AlarmEmail").matcher("ops@example.com").matches()).isTrue();
    assertThat(allowedPattern("AlarmEmail").matcher("ops").matches()).isFalse();
    assertThat(allowedPattern("AlarmTopicArn").matcher("arn:aws:sns:eu-west-1:123456789012:ops").matches()).isTrue();
    assertThat(allowedPattern("AlarmTopicArn").matcher("ops").matches()).isFalse();
    assertThat(allowedPattern("ResultEventBusName").matcher("pipelines").matches()).isTrue();
    assertThat(allowedPattern("ResultEventBusName").matcher("").matches()).isFalse();
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
        "PolicyName", "EventBusName", "TopicName", "AlarmName", "BucketName");
    t.resources().forEach((id, r) -> {
      String type = map(r).get("Type").toString();
      Map<String, Object> props = TemplateModel.properties(map(r));
      for (String name : nameProperties) {
        Object value = props.get(name);
        boolean allowed = value == null
            || (type.equals("AWS::IAM::Policy") && name.equals("PolicyName")) // inline, per role
            || (type.startsWith("AWS::Lambda::") && name.equals("FunctionName") && value instanceof Map);
        assertThat(allowed).as("%s %s.%s = %s", id, type, name, value).isTrue();
      }
    });
  }

  @Test
  void outputsNameWhatAnOperatorNeeds() {
    Map<String, Object> outputs = map(t.json().get("Outputs"));
    CfnEvaluator deployed = t.deployed(Map.of());

    assertThat(value(outputs, "FilterFunctionName")).isEqualTo(Map.of("Ref", filter()));
    assertThat(value(outputs, "IndexerFunctionName")).isEqualTo(Map.of("Ref", indexer()));
    assertThat(value(outputs, "FailureReporterFunctionName")).isEqualTo(Map.of("Ref", reporter()));
    assertThat(value(outputs, "IndexerFunctionArn")).isEqualTo(Map.of("Fn::GetAtt", List.of(indexer(), "Arn")));
    assertThat(value(outputs, "FilterFunctionArn")).isEqualTo(Map.of("Fn::GetAtt", List.of(filter(), "Arn")));
    assertThat(value(outputs, "DeadLetterQueueUrl")).isEqualTo(Map.of("Ref", deadLetterQueue()));
    assertThat(value(outputs, "FailureQueueUrl")).isEqualTo(Map.of("Ref", failureQueue()));
    assertThat(value(outputs, "DeadLetterQueueArn"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of(deadLetterQueue(), "Arn")));
    assertThat(value(outputs, "FailureQueueArn")).isEqualTo(Map.of("Fn::GetAtt", List.of(failureQueue(), "Arn")));
    assertThat(deployed.evaluateString(value(outputs, "AlarmTopicInUse")))
        .isEqualTo(t.refOf(t.onlyOfType("AWS::SNS::Topic")));
    assertThat(value(outputs, "FilterLogGroupName")).isEqualTo(Map.of("Ref", t.logGroupOf(filter())));
    assertThat(value(outputs, "IndexerLogGroupName")).isEqualTo(Map.of("Ref", t.logGroupOf(indexer())));
    assertThat(value(outputs, "FailureReporterLogGroupName")).isEqualTo(Map.of("Ref", t.logGroupOf(reporter())));
    assertThat(value(outputs, "SweepFunctionName")).isEqualTo(Map.of("Ref", sweep()));
    assertThat(value(outputs, "SweepLogGroupName")).isEqualTo(Map.of("Ref", t.logGroupOf(sweep())));
    assertThat(map(outputs.get("SweepFunctionName")).get("Description").toString()).contains("{\"dryRun\":true}");
    assertThat(value(outputs, "ZtocCacheBucketName")).isEqualTo(Map.of("Ref", bucket()));
    assertThat(deployed.evaluateString(value(outputs, "ResultEventBusArn"))).isEqualTo(destinationArn());
    assertThat(value(outputs, "ResultEventDetailType")).isEqualTo("SOCI Index Result");
    assertThat(value(outputs, "ResultEventSource")).isEqualTo("soci-index-builder");
  }

  private static Object value(Map<String, Object> outputs, String name) {
    assertThat(outputs).containsKey(name);
    return map(outputs.get(name)).get("Value");
  }

  // ---- cdk-nag and CDK's template validation ----

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
  void cdkNagChecksRunOnTheAppAndAFindingFailsTheSynthesis() throws IOException {
    App canaryApp = TestApps.app(jars.resolve("canary.out"));
    SociIndexBuilderApp.configure(canaryApp, artifacts);
    // A stack with a queue that breaks AwsSolutions rules: proves the nag aspect really runs on the app.
    Stack nagCanary = new Stack(canaryApp, "NagCanary");
    new Queue(nagCanary, "Unencrypted");

    assertThatThrownBy(canaryApp::synth).hasMessageContaining("Validation failed");
    assertThat(validationFindings(jars.resolve("canary.out"), "violations"))
        .anySatisfy(f -> assertThat(f).contains("AwsSolutions-SQS"));
  }

  @Test
  void everySuppressionIsNarrowAndExplained() {
    String repositoryIf = "NoPositiveFilter";
    String everyRepository = "Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/*";
    Map<String, List<String>> wildcardsByResource = new HashMap<>();
    t.resources().forEach((id, r) -> {
      Object metadata = map(r).get("Metadata");
      if (metadata == null || map(metadata).get("cdk_nag") == null) {
        return;
      }
      for (Object rule : list(map(map(metadata).get("cdk_nag")).get("rules_to_suppress"))) {
        Map<String, Object> suppression = map(rule);
        assertThat(suppression.get("reason").toString()).as(id).hasSizeGreaterThan(60);
        assertThat(suppression.get("id")).as(id)
            .isIn("AwsSolutions-IAM5", "AwsSolutions-SQS3", "AwsSolutions-SNS2", "AwsSolutions-S1");
        if (suppression.get("id").equals("AwsSolutions-S1")) {
          assertThat(id).isEqualTo(bucket());
        }
        if (suppression.get("id").equals("AwsSolutions-IAM5")) {
          List<String> appliesTo = list(suppression.get("applies_to")).stream()
              .map(a -> a instanceof Map<?, ?> m ? "regex " + m.get("regex") : a.toString()).toList();
          assertThat(wildcardsByResource.put(id, appliesTo)).isNull();
        }
      }
    });
    String bucketEntries = "Resource::<" + bucket() + ".Arn>/ztoc/*";
    // A role's suppression is copied onto its default policy (where the findings are).
    for (String role : List.of(t.roleOf(indexer()), t.roleOf(sweep()))) {
      String defaultPolicy = onlyElement(t.ofType("AWS::IAM::Policy").stream()
          .filter(p -> list(t.properties(p).get("Roles")).contains(Map.of("Ref", role)) && p.contains("DefaultPolicy"))
          .toList());
      assertThat(wildcardsByResource.remove(defaultPolicy)).isEqualTo(wildcardsByResource.get(role));
    }
    assertThat(wildcardsByResource).containsOnlyKeys(t.roleOf(indexer()), t.roleOf(sweep()),
        sweepListRepositoriesPolicy());
    // indexer: the ECR token, the filtered repositories (the Fn::If of an exclusion-only list), the cache's entries
    assertThat(wildcardsByResource.get(t.roleOf(indexer()))).hasSize(3).satisfies(w -> {
      assertThat(w.get(0)).isEqualTo("Resource::*");
      assertThat(w.get(1)).startsWith("regex ").contains(repositoryIf).contains(":repository\\/\\*");
      assertThat(w.get(2)).isEqualTo(bucketEntries);
    });
    // sweep: DescribeImages on the filtered repositories only; DescribeRepositories' repository/* in its own policy
    assertThat(wildcardsByResource.get(t.roleOf(sweep())))
        .containsExactly(wildcardsByResource.get(t.roleOf(indexer())).get(1));
    assertThat(wildcardsByResource.get(sweepListRepositoriesPolicy())).containsExactly(everyRepository);
    assertThat(list(map(t.properties(sweepListRepositoriesPolicy()).get("PolicyDocument")).get("Statement")))
        .hasSize(1);
  }

  private static String sweepListRepositoriesPolicy() {
    return onlyElement(t.ofType("AWS::IAM::Policy").stream()
        .filter(p -> t.properties(p).toString().contains("ecr:DescribeRepositories")).toList());
  }

  /**
   * CDK validates the template against CloudFormation's rules (cdk.json sets
   * {@code @aws-cdk/core:validateAgainstDefaultRules}); the three findings the stack acknowledges are only those
   * of parameter defaults in Fn::If branches their conditions never take.
   */
  @Test
  void templateValidationAcknowledgesOnlyTheParameterBranchFindings() throws IOException {
    Path outdir = Path.of(app.getOutdir());

    assertThat(validationFindings(outdir, "violations")).isEmpty();
    assertThat(validationFindings(outdir, "suppressedViolations")).isNotEmpty().allSatisfy(f -> assertThat(f).matches(
        "(F3033 Properties\\.(PermissionsBoundary|AlarmActions\\.0|OKActions\\.0)"
            + "|W1001 \\(template\\)|W9003 Properties\\.ReservedConcurrentExecutions) .*"));
  }

  /** "RULE PROPERTY-PATH DESCRIPTION" of each violating construct under {@code key} of the validation report. */
  private static List<String> validationFindings(Path outdir, String key) throws IOException {
    Map<String, Object> report = new ObjectMapper().readValue(outdir.resolve("validation-report.json").toFile(),
        new TypeReference<Map<String, Object>>() {});
    List<String> findings = new ArrayList<>();
    for (Object plugin : list(report.get("pluginReports"))) {
      Object violations = map(plugin).get(key);
      for (Object v : violations == null ? List.of() : list(violations)) {
        Map<String, Object> violation = map(v);
        for (Object c : list(violation.get("violatingConstructs"))) {
          Map<String, Object> resource = map(c).get("cloudFormationResource") == null ? Map.of()
              : map(map(c).get("cloudFormationResource"));
          Object paths = resource.get("propertyPaths");
          findings.add(violation.get("ruleName") + " " + (paths == null ? "(template)" : list(paths).get(0)) + " "
              + violation.get("description"));
        }
      }
    }
    return findings;
  }

  @Test
  void cannotSynthesizeWithoutPackagedJars() {
    assertThatThrownBy(() -> new LambdaArtifacts(jars.resolve("missing.jar"), artifacts.indexerJar()))
        .hasMessageContaining("run mvn package first");
  }

  // ---- helpers ----

  private static String repositoryArn(String name) {
    return "arn:aws:ecr:" + CfnEvaluator.REGION + ":" + CfnEvaluator.ACCOUNT + ":repository/" + name;
  }

  private static List<String> grantedRepositories(Map<String, String> parameterValues) {
    CfnEvaluator evaluator = t.deployed(parameterValues);
    Object resources = statementWith(t.statementsOf(t.roleOf(indexer())), "ecr:BatchGetImage").get("Resource");
    Object evaluated = evaluator.evaluate(resources);
    List<String> granted = evaluated instanceof List<?> l ? l.stream().map(Object::toString).toList()
        : List.of(evaluated.toString());
    assertThat(granted).isNotEmpty();
    return granted;
  }

  private static boolean granted(List<String> patterns, String repository) {
    return patterns.stream().anyMatch(p -> CfnEvaluator.iamResourceMatches(p, repositoryArn(repository)));
  }

  private static Pattern allowedPattern(String parameter) {
    return Pattern.compile(map(t.parameters().get(parameter)).get("AllowedPattern").toString());
  }

  // Annotations.findError/findWarning still return the deprecated cxapi type in aws-cdk-lib 2.263.0.
  @SuppressWarnings("deprecation")
  private static List<String> describe(List<SynthesisMessage> messages) {
    return messages.stream().map(m -> m.getId() + ": " + m.getEntry().getData()).toList();
  }
}
