package dev.socibuilder.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.CfnOutputProps;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.RuleProps;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.PolicyStatementProps;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.RoleProps;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.AliasProps;
import software.amazon.awscdk.services.lambda.ApplicationLogLevel;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.FunctionProps;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.SystemLogLevel;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.LogGroupProps;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.amazon.awscdk.services.sqs.QueueProps;
import software.constructs.Construct;

/**
 * Builds a SOCI index for every image pushed to ECR in the stack's account and region:
 * <pre>
 * ECR push ─▶ EventBridge rule ─▶ filter (alias) ─▶ async invoke ─▶ indexer (alias) ─▶ result event
 *                 └─▶ DLQ ◀── filter failures          indexer failures ──▶ failure queue
 * </pre>
 * Both functions run on the Java 25 managed runtime on arm64 with SnapStart on published versions, so every
 * invocation goes through the {@value #ALIAS_NAME} alias (a published version), never {@code $LATEST}. Nothing
 * has a fixed physical name, so several copies can be deployed to one account and region. All configuration is
 * CloudFormation parameters (see {@link StackParameters}).
 */
public final class SociIndexBuilderStack extends Stack {

  /** The filter function's handler (module lambda-filter). */
  public static final String FILTER_HANDLER = "dev.socibuilder.filter.FilterHandler::handleRequest";
  /** The indexer function's handler (module lambda-indexer). */
  public static final String INDEXER_HANDLER = "dev.socibuilder.indexer.lambda.IndexerHandler::handleRequest";
  /** {@code source} of the result events the indexer puts on the default event bus. */
  public static final String RESULT_EVENT_SOURCE = "soci-index-builder";
  /** {@code detail-type} of the result events the indexer puts on the default event bus. */
  public static final String RESULT_DETAIL_TYPE = "SOCI Index Result";
  /** The alias (on the current published version) through which both functions are invoked. */
  public static final String ALIAS_NAME = "live";

  /** Lambda allows at most 2 retries of an async invocation; each indexing attempt is idempotent. */
  private static final int ASYNC_RETRIES = 2;
  /** The longest Lambda keeps an async event (also while throttled by reserved concurrency): 6 hours. */
  private static final Duration MAX_EVENT_AGE = Duration.hours(6);
  /** SQS's maximum, so an operator has two weeks to inspect and replay failed requests. */
  private static final Duration QUEUE_RETENTION = Duration.days(14);
  /**
   * EventBridge retries only failed deliveries (throttling, Lambda service errors), with back-off; errors in
   * the filter itself are retried by Lambda's async invocation instead. Then the event goes to the DLQ.
   */
  private static final int RULE_DELIVERY_RETRIES = 8;
  private static final Duration RULE_DELIVERY_MAX_AGE = Duration.hours(2);
  private static final RetentionDays LOG_RETENTION = RetentionDays.ONE_MONTH;

  /** ECR registry API actions behind the OCI distribution calls the indexer makes (pull, then push). */
  private static final List<String> ECR_PULL_ACTIONS = List.of(
      "ecr:BatchGetImage", // GET/HEAD manifests, and the referrers API (SOCI index v1)
      "ecr:GetDownloadUrlForLayer", // GET blobs
      "ecr:BatchCheckLayerAvailability"); // HEAD blobs (skip uploading what exists)
  private static final List<String> ECR_PUSH_ACTIONS = List.of(
      "ecr:InitiateLayerUpload",
      "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload",
      "ecr:PutImage"); // PUT manifests, image index, tags

  /**
   * @param scope     usually the {@code App}
   * @param id        construct id, also the default stack name
   * @param props     stack properties (leave {@code env} unset: the stack is account- and region-agnostic)
   * @param artifacts the packaged Lambda jars to upload
   */
  public SociIndexBuilderStack(Construct scope, String id, StackProps props, LambdaArtifacts artifacts) {
    super(scope, id, props);
    Objects.requireNonNull(artifacts, "artifacts");
    StackParameters params = new StackParameters(this);

    // ---- queues: where work that could not be done ends up, encrypted, kept long enough to replay ----
    Queue deadLetterQueue = replayableQueue("DeadLetterQueue");
    Queue failureQueue = replayableQueue("IndexerFailureQueue");

    // ---- indexer ----
    Role indexerRole = lambdaRole("IndexerRole", "SOCI index builder: indexer function");
    LogGroup indexerLogs = logGroup("IndexerLogs");
    indexerLogs.grantWrite(indexerRole);
    Function indexerFunction = new Function(this, "Indexer", javaFunction(artifacts.indexerJar().toString(),
        INDEXER_HANDLER, indexerRole, indexerLogs)
        .description("Builds and pushes the SOCI index of an ECR image")
        .timeout(Duration.minutes(15))
        .memorySize(params.indexerMemoryMiB.getValueAsNumber())
        .reservedConcurrentExecutions(params.indexerReservedConcurrency.getValueAsNumber())
        .environment(Map.of(
            "SOCI_INDEX_VERSION", params.sociIndexVersion.getValueAsString(),
            "SPAN_SIZE_BYTES", params.spanSizeBytes.getValueAsString(),
            "MIN_LAYER_SIZE_BYTES", params.minLayerSizeBytes.getValueAsString(),
            "SOCI_TAG_SUFFIX", params.sociTagSuffix.getValueAsString(),
            "RESULT_EVENT_BUS_NAME", "default"))
        .build());
    acknowledgeSnapStartWarning(indexerFunction);
    // Async invoke configuration belongs to the qualifier that is invoked: the alias.
    Alias indexerAlias = new Alias(this, "IndexerAlias", AliasProps.builder()
        .aliasName(ALIAS_NAME)
        .version(indexerFunction.getCurrentVersion())
        .retryAttempts(ASYNC_RETRIES)
        .maxEventAge(MAX_EVENT_AGE)
        .onFailure(new SqsDestination(failureQueue))
        .build());

    indexerRole.addToPolicy(new PolicyStatement(PolicyStatementProps.builder()
        .sid("EcrAuthorizationToken")
        .effect(Effect.ALLOW)
        .actions(List.of("ecr:GetAuthorizationToken"))
        .resources(List.of("*"))
        .build()));
    // The repository ARNs may hold * and ? by design (they are the user's globs); cdk-nag cannot see them
    // because they are resolved at deploy time, so no suppression covers them.
    indexerRole.addToPolicy(new PolicyStatement(PolicyStatementProps.builder()
        .sid("EcrPullPushFilteredRepositories")
        .effect(Effect.ALLOW)
        .actions(concat(ECR_PULL_ACTIONS, ECR_PUSH_ACTIONS))
        .resources(RepositoryArns.forFilters(this, params.repositoryImageTagFilters.getValueAsString(),
            StackParameters.MAX_FILTERS))
        .build()));
    EventBus.fromEventBusName(this, "DefaultEventBus", "default").grantPutEventsTo(indexerRole);

    // ---- filter ----
    Role filterRole = lambdaRole("FilterRole", "SOCI index builder: filter function");
    LogGroup filterLogs = logGroup("FilterLogs");
    filterLogs.grantWrite(filterRole);
    Function filterFunction = new Function(this, "Filter", javaFunction(artifacts.filterJar().toString(),
        FILTER_HANDLER, filterRole, filterLogs)
        .description("Matches ECR pushes against the repository/tag filters and starts the SOCI indexer")
        .timeout(Duration.seconds(30))
        .memorySize(512)
        .environment(Map.of(
            "FILTERS", params.repositoryImageTagFilters.getValueAsString(),
            // qualified "name:alias": the filter invokes the SnapStart version, never $LATEST
            "INDEXER_FUNCTION_NAME", indexerAlias.getFunctionName(),
            "SOCI_TAG_SUFFIX", params.sociTagSuffix.getValueAsString(),
            "INDEX_UNTAGGED", params.indexUntaggedPushes.getValueAsString(),
            "EXPECTED_ACCOUNT_ID", Aws.ACCOUNT_ID))
        .build());
    acknowledgeSnapStartWarning(filterFunction);
    // Errors inside the filter (after EventBridge delivered the event) land in the same DLQ as events
    // EventBridge could not deliver: both are pushes that never reached the indexer.
    Alias filterAlias = new Alias(this, "FilterAlias", AliasProps.builder()
        .aliasName(ALIAS_NAME)
        .version(filterFunction.getCurrentVersion())
        .retryAttempts(ASYNC_RETRIES)
        .maxEventAge(MAX_EVENT_AGE)
        .onFailure(new SqsDestination(deadLetterQueue))
        .build());
    indexerAlias.grantInvoke(filterRole);

    // ---- trigger ----
    Rule rule = new Rule(this, "EcrPushRule", RuleProps.builder()
        .description("Successful image pushes to ECR in this account and region")
        .eventPattern(EventPattern.builder()
            .source(List.of("aws.ecr"))
            .detailType(List.of("ECR Image Action"))
            .account(List.of(Aws.ACCOUNT_ID))
            .region(List.of(Aws.REGION))
            .detail(Map.of(
                "action-type", List.of("PUSH"),
                "result", List.of("SUCCESS")))
            .build())
        .build());
    rule.addTarget(new LambdaFunction(filterAlias, LambdaFunctionProps.builder()
        .retryAttempts(RULE_DELIVERY_RETRIES)
        .maxEventAge(RULE_DELIVERY_MAX_AGE)
        .deadLetterQueue(deadLetterQueue)
        .build()));

    // ---- outputs ----
    output("FilterFunctionName", filterFunction.getFunctionName(), "The filter Lambda function");
    output("IndexerFunctionName", indexerFunction.getFunctionName(), "The indexer Lambda function");
    output("FilterAliasName", filterAlias.getFunctionName(),
        "Qualified filter name (function:alias) to replay dead-lettered push events");
    output("IndexerAliasName", indexerAlias.getFunctionName(),
        "Qualified indexer name (function:alias) to invoke by hand");
    output("DeadLetterQueueUrl", deadLetterQueue.getQueueUrl(),
        "Push events that never reached the indexer (delivery or filter failures)");
    output("FailureQueueUrl", failureQueue.getQueueUrl(),
        "Indexer requests that failed after all retries (replay them by invoking the indexer)");
    output("FilterLogGroupName", filterLogs.getLogGroupName(), "The filter's CloudWatch log group");
    output("IndexerLogGroupName", indexerLogs.getLogGroupName(), "The indexer's CloudWatch log group");
    output("ResultEventSource", RESULT_EVENT_SOURCE, "source of the result events on the default bus");
    output("ResultEventDetailType", RESULT_DETAIL_TYPE, "detail-type of the result events on the default bus");

    suppressJustifiedFindings(deadLetterQueue, failureQueue, indexerRole);
  }

  private FunctionProps.Builder javaFunction(String jar, String handler, Role role, LogGroup logGroup) {
    return FunctionProps.builder()
        .runtime(Runtime.JAVA_25)
        // pure Java: arm64 is cheaper per GB-second at the same speed
        .architecture(Architecture.ARM_64)
        // a jar file is uploaded as-is: no bundling, no Docker at synth time
        .code(Code.fromAsset(jar))
        .handler(handler)
        .role(role)
        // restores an initialized JVM (SDK clients built) instead of starting one: shorter cold starts
        .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
        .logGroup(logGroup)
        .loggingFormat(LoggingFormat.JSON)
        .applicationLogLevelV2(ApplicationLogLevel.INFO)
        .systemLogLevelV2(SystemLogLevel.INFO);
  }

  private Role lambdaRole(String id, String description) {
    // Own roles instead of CDK's default: no AWSLambdaBasicExecutionRole (logs:* on every log group),
    // only write access to the function's own log group.
    return new Role(this, id, RoleProps.builder()
        .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
        .description(description)
        .build());
  }

  private LogGroup logGroup(String id) {
    return new LogGroup(this, id, LogGroupProps.builder()
        .retention(LOG_RETENTION)
        .removalPolicy(RemovalPolicy.DESTROY)
        .build());
  }

  private Queue replayableQueue(String id) {
    return new Queue(this, id, QueueProps.builder()
        .encryption(QueueEncryption.SQS_MANAGED)
        .enforceSsl(true)
        .retentionPeriod(QUEUE_RETENTION)
        .build());
  }

  private void output(String id, String value, String description) {
    new CfnOutput(this, id, CfnOutputProps.builder().value(value).description(description).build());
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }

  /** CDK warns on every SnapStart function; these publish a version on every change and are only invoked via it. */
  private static void acknowledgeSnapStartWarning(Function function) {
    Annotations.of(function).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
        "A version is published (currentVersion) on every change and invoked through the alias only");
  }

  /** Every cdk-nag AwsSolutions finding this stack accepts, each with the reason it is acceptable. */
  private static void suppressJustifiedFindings(Queue deadLetterQueue, Queue failureQueue, Role indexerRole) {
    for (Queue queue : List.of(deadLetterQueue, failureQueue)) {
      NagSuppressions.addResourceSuppressions(queue, List.of(NagPackSuppression.builder()
          .id("AwsSolutions-SQS3")
          .reason("This queue is itself the dead-letter / on-failure destination of the pipeline (rule"
              + " target DLQ, Lambda on-failure destination); a DLQ behind it would only move the same"
              + " messages once more. Messages are kept 14 days for an operator to replay.")
          .build()));
    }
    // applyToChildren: the finding is on the role's DefaultPolicy. Only "Resource::*" is accepted; any other
    // wildcard added later would still fail the synthesis.
    NagSuppressions.addResourceSuppressions(indexerRole, List.of(NagPackSuppression.builder()
        .id("AwsSolutions-IAM5")
        .appliesTo(List.of("Resource::*"))
        .reason("ecr:GetAuthorizationToken has no resource type: IAM only accepts Resource '*' for it"
            + " (https://docs.aws.amazon.com/service-authorization/latest/reference/"
            + "list_amazonelasticcontainerregistry.html). The token alone grants nothing; every"
            + " pull/push action is scoped to the repositories matched by RepositoryImageTagFilters.")
        .build()), true);
  }
}
