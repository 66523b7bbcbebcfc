package dev.socibuilder.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnCondition;
import software.amazon.awscdk.CfnConditionProps;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.AlarmProps;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.RuleProps;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.events.targets.SqsQueue;
import software.amazon.awscdk.services.events.targets.SqsQueueProps;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PermissionsBoundary;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.PolicyStatementProps;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.lambda.CfnFunction;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.destinations.EventBridgeDestination;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.TopicProps;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.amazon.awscdk.services.sqs.QueueProps;
import software.constructs.Construct;

/**
 * Builds a SOCI index for every image pushed to ECR in the stack's account and region, as an AWS CDK construct a
 * platform team embeds in its own app (the ready-to-deploy {@link SociIndexBuilderStack} is one use of it):
 * <pre>
 * ECR push ─▶ EventBridge rule ─▶ filter ─▶ async invoke ─▶ indexer ─▶ SOCI Index Result (result bus)
 *                 │                  │                        │
 *                 └─▶ dead-letter queue ◀── filter failures   └─ failed on its last attempt ─▶ default bus
 *                                                                 ─▶ rule ─▶ failure queue (for replay)
 *                                                                         └▶ failure reporter ─▶ final
 *                                                                            SOCI Index Result (failed)
 * </pre>
 * A sweep finds the images already in ECR that still need an index (on a schedule, after every deployment, on
 * demand) and sends them to the indexer too; the indexer reuses zTOCs across images and repositories from a cache
 * bucket. Alarms on both queues, the indexer's errors and throttles and the filter's and the sweep's errors notify
 * one SNS topic.
 *
 * <p>What runs is what was deployed: the functions are invoked unqualified ({@code $LATEST}), so every change of
 * configuration, a deploy-time parameter's included, is what the next invocation runs; there are no versions or
 * aliases that could lag behind (and no SnapStart, which needs them: see the README for the cold-start
 * measurement behind that choice). The functions run on the Java 25 managed runtime on arm64 with JSON logs in
 * their own log groups. Nothing has a fixed physical name, so several instances can live in one account, region
 * and stack. Every accepted cdk-nag AwsSolutions finding is suppressed here, on the resource, with its reason.
 */
public final class SociIndexBuilder extends Construct {

  /** The filter function's handler (module lambda-filter). */
  public static final String FILTER_HANDLER = "dev.socibuilder.filter.FilterHandler::handleRequest";
  /** The indexer function's handler (module lambda-indexer). */
  public static final String INDEXER_HANDLER = "dev.socibuilder.indexer.lambda.IndexerHandler::handleRequest";
  /** The failure reporter's handler (module lambda-indexer, the same jar as the indexer). */
  public static final String FAILURE_HANDLER = "dev.socibuilder.indexer.lambda.FailureHandler::handleRequest";
  /** The sweep function's handler (module lambda-filter, the same jar as the filter). */
  public static final String SWEEP_HANDLER = BackfillSweep.HANDLER;
  /**
   * The indexer's JVM options ({@code JAVA_TOOL_OPTIONS}): the whole tiered compilation, C2 included. Lambda's Java
   * runtimes stop at C1 by default (level 1: a faster start for short handlers), which leaves the indexer's
   * CPU-bound work (inflate, SHA-256, TLS decryption) in C1 code without HotSpot's AES, GHASH and SHA intrinsics,
   * which only C2 applies. Under the runtime interface client (bench/RESULTS.md, "The indexer's JIT") a cold indexer
   * took twice as long on a 568 MB layer (13.5 s against 6.7 s) and 1.8 times as long on a 142 MB one over https;
   * a small image's cold start takes about 0.3 s more. Lambda lets {@code JAVA_TOOL_OPTIONS} replace the default.
   * The other functions keep it: they run for milliseconds.
   *
   * <p>The AES-GCM code of TLS (every byte from ECR) gets its intrinsics only inside callers C2 has compiled, and
   * those run once per 16 KiB record, so a fresh JVM compiles them only after tens of megabytes; their compile
   * thresholds are lowered twentyfold, as the command line's launcher does ({@code quiet}: HotSpot would otherwise
   * echo the command on stdout, the function's log). A cold indexer on a 142 MB layer over https: 2.43–2.47 s →
   * 2.30–2.31 s (bench/RESULTS.md, "Seventh session").
   */
  public static final String INDEXER_JAVA_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=4"
      + " -XX:CompileCommand=quiet -XX:CompileCommand=CompileThresholdScaling,com.sun.crypto.provider.*::*,0.05";
  /** {@code source} of the result events. */
  public static final String RESULT_EVENT_SOURCE = "soci-index-builder";
  /** {@code detail-type} of the result events. */
  public static final String RESULT_DETAIL_TYPE = "SOCI Index Result";
  /** {@code detail-type} of the record Lambda puts on an EventBridge on-failure destination. */
  static final String INVOCATION_FAILURE_DETAIL_TYPE = "Lambda Function Invocation Result - Failure";

  /** Lambda allows at most 2 retries of an asynchronous invocation; each indexing attempt is idempotent. */
  static final int ASYNC_RETRIES = 2;
  /** The longest Lambda keeps an asynchronous event (also while throttled by reserved concurrency): 6 hours. */
  static final Duration MAX_EVENT_AGE = Duration.hours(6);
  /** SQS's maximum, so an operator has two weeks to inspect and replay failed requests. */
  private static final Duration QUEUE_RETENTION = Duration.days(14);
  /**
   * EventBridge retries only failed deliveries (throttling, Lambda service errors), with back-off; errors in the
   * functions are retried by Lambda's asynchronous invocation instead. Then the event goes to the DLQ.
   */
  static final int RULE_DELIVERY_RETRIES = 8;
  static final Duration RULE_DELIVERY_MAX_AGE = Duration.hours(2);
  private static final Duration ALARM_PERIOD = Duration.minutes(5);
  /** Throttling alarms only when it lasts: a burst above the reserved concurrency waits in Lambda's queue. */
  private static final int THROTTLE_ALARM_PERIODS = 3;

  /** ECR registry API actions behind the OCI distribution calls the indexer makes (pull, then push). */
  static final List<String> ECR_PULL_ACTIONS = List.of(
      "ecr:BatchGetImage", // GET/HEAD manifests, and the referrers API (SOCI index v1)
      "ecr:GetDownloadUrlForLayer", // GET blobs
      "ecr:BatchCheckLayerAvailability"); // HEAD blobs (skip uploading what exists)
  static final List<String> ECR_PUSH_ACTIONS = List.of(
      "ecr:InitiateLayerUpload",
      "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload",
      "ecr:PutImage"); // PUT manifests, image index, tags

  private final SociIndexBuilderProps props;
  private final Queue deadLetterQueue;
  private final Queue failureQueue;
  private final IEventBus resultBus;
  private final LogGroup indexerLogs;
  private final LogGroup failureReporterLogs;
  private final LogGroup filterLogs;
  private final Function indexer;
  private final Function failureReporter;
  private final Function filter;
  private final Rule pushRule;
  private final Rule indexerFailureRule;
  private final BackfillSweep sweep;
  private final ZtocCacheBucket ztocCache;
  private final ITopic alarmTopic;
  private final List<Alarm> alarms = new ArrayList<>();

  /**
   * @param scope usually a stack
   * @param id    the construct id
   * @param props the configuration; only the artifacts are required
   */
  public SociIndexBuilder(Construct scope, String id, SociIndexBuilderProps props) {
    super(scope, id);
    this.props = Objects.requireNonNull(props, "props");
    IEventBus defaultBus = EventBus.fromEventBusName(this, "DefaultBus", "default");
    this.resultBus = props.resultBus() != null ? props.resultBus() : defaultBus;

    // ---- queues: where work that could not be done ends up, encrypted, kept long enough to replay ----
    deadLetterQueue = replayableQueue("DeadLetterQueue");
    failureQueue = replayableQueue("FailureQueue");

    // ---- the zTOC cache, shared by every repository: a layer indexed once is not indexed again ----
    ztocCache = props.ztocCache()
        ? new ZtocCacheBucket(this, "ZtocCache", props.ztocCacheDays(), props.ztocCacheRemovalPolicy()) : null;

    // ---- indexer: on its last failed attempt Lambda puts the request's record on the default bus ----
    Role indexerRole = JavaFunctions.role(this, "IndexerRole", "SOCI index builder: indexer function");
    indexerLogs = JavaFunctions.logGroup(this, "IndexerLogs", props);
    indexer = new Function(this, "Indexer", JavaFunctions.function(props, props.artifacts().indexerJar().toString(),
        INDEXER_HANDLER, indexerRole, indexerLogs)
        .description("Builds and pushes the SOCI index of an ECR image")
        .timeout(Duration.minutes(15))
        .memorySize(props.indexerMemoryMiB())
        .environment(withJvmOptions(indexerEnvironment(), INDEXER_JAVA_TOOL_OPTIONS))
        .retryAttempts(ASYNC_RETRIES)
        .maxEventAge(MAX_EVENT_AGE)
        .onFailure(new EventBridgeDestination(defaultBus))
        .build());
    reserveConcurrency(indexer, props.indexerReservedConcurrency());
    indexerRole.addToPolicy(new PolicyStatement(PolicyStatementProps.builder()
        .sid("EcrAuthorizationToken")
        .effect(Effect.ALLOW)
        .actions(List.of("ecr:GetAuthorizationToken"))
        .resources(List.of("*"))
        .build()));
    List<String> repositoryArns = RepositoryArns.forFilters(this, props.filters(), StackParameters.MAX_FILTERS);
    indexerRole.addToPolicy(new PolicyStatement(PolicyStatementProps.builder()
        .sid("EcrPullPushFilteredRepositories")
        .effect(Effect.ALLOW)
        .actions(Stream.concat(ECR_PULL_ACTIONS.stream(), ECR_PUSH_ACTIONS.stream()).toList())
        .resources(repositoryArns)
        .build()));
    resultBus.grantPutEventsTo(indexerRole);
    if (ztocCache != null) {
      ztocCache.grantTo(indexerRole);
    }

    // ---- the final result of a request whose last attempt failed (error, timeout, crash, too old) ----
    Role reporterRole = JavaFunctions.role(this, "FailureReporterRole",
        "SOCI index builder: failure reporter function");
    failureReporterLogs = JavaFunctions.logGroup(this, "FailureReporterLogs", props);
    failureReporter = new Function(this, "FailureReporter", JavaFunctions.function(props,
        props.artifacts().indexerJar().toString(), FAILURE_HANDLER, reporterRole, failureReporterLogs)
        .description("Puts the final SOCI Index Result of an indexing request whose last attempt failed")
        .timeout(Duration.minutes(1))
        .memorySize(512)
        .environment(indexerEnvironment())
        .retryAttempts(ASYNC_RETRIES)
        .maxEventAge(MAX_EVENT_AGE)
        .onFailure(new SqsDestination(deadLetterQueue))
        .build());
    resultBus.grantPutEventsTo(reporterRole);
    indexerFailureRule = new Rule(this, "IndexerFailureRule", RuleProps.builder()
        .description("Records of indexing requests whose last attempt failed")
        .eventPattern(EventPattern.builder()
            .source(List.of("lambda"))
            .detailType(List.of(INVOCATION_FAILURE_DETAIL_TYPE))
            .detail(Map.of("requestContext", Map.of("functionArn", List.of(
                indexer.getFunctionArn(),
                Map.of("prefix", indexer.getFunctionArn() + ":"))))) // $LATEST (or a qualifier)
            .build())
        .build());
    // The record (detail.requestPayload is the request) kept for replay, and turned into the final result event.
    indexerFailureRule.addTarget(new SqsQueue(failureQueue, SqsQueueProps.builder()
        .retryAttempts(RULE_DELIVERY_RETRIES)
        .maxEventAge(RULE_DELIVERY_MAX_AGE)
        .deadLetterQueue(deadLetterQueue)
        .build()));
    indexerFailureRule.addTarget(new LambdaFunction(failureReporter, LambdaFunctionProps.builder()
        .retryAttempts(RULE_DELIVERY_RETRIES)
        .maxEventAge(RULE_DELIVERY_MAX_AGE)
        .deadLetterQueue(deadLetterQueue)
        .build()));

    // ---- filter: errors inside it (after EventBridge delivered the event) land in the DLQ as well ----
    Role filterRole = JavaFunctions.role(this, "FilterRole", "SOCI index builder: filter function");
    filterLogs = JavaFunctions.logGroup(this, "FilterLogs", props);
    Map<String, String> filterEnvironment = new LinkedHashMap<>();
    filterEnvironment.put("FILTERS", props.filters());
    filterEnvironment.put("INDEXER_FUNCTION_NAME", indexer.getFunctionName());
    filterEnvironment.put("SOCI_TAG_SUFFIX", props.tagSuffix());
    filterEnvironment.put("INDEX_UNTAGGED", props.indexUntaggedPushes());
    filterEnvironment.put("EXPECTED_ACCOUNT_ID", Aws.ACCOUNT_ID);
    filter = new Function(this, "Filter", JavaFunctions.function(props, props.artifacts().filterJar().toString(),
        FILTER_HANDLER, filterRole, filterLogs)
        .description("Matches ECR pushes against the repository/tag filters and starts the SOCI indexer")
        .timeout(Duration.seconds(30))
        .memorySize(512)
        .environment(filterEnvironment)
        .retryAttempts(ASYNC_RETRIES)
        .maxEventAge(MAX_EVENT_AGE)
        .onFailure(new SqsDestination(deadLetterQueue))
        .build());
    // The unqualified function only (what the filter invokes), not the function's versions and aliases too.
    filterRole.addToPolicy(new PolicyStatement(PolicyStatementProps.builder()
        .sid("InvokeIndexer")
        .effect(Effect.ALLOW)
        .actions(List.of("lambda:InvokeFunction"))
        .resources(List.of(indexer.getFunctionArn()))
        .build()));

    // ---- trigger ----
    pushRule = new Rule(this, "EcrPushRule", RuleProps.builder()
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
    pushRule.addTarget(new LambdaFunction(filter, LambdaFunctionProps.builder()
        .retryAttempts(RULE_DELIVERY_RETRIES)
        .maxEventAge(RULE_DELIVERY_MAX_AGE)
        .deadLetterQueue(deadLetterQueue)
        .build()));

    // ---- the sweep: images already in ECR, and pushes whose event was lost ----
    sweep = new BackfillSweep(this, "Sweep", props, indexer, repositoryArns, deadLetterQueue);

    // ---- alarms ----
    alarmTopic = props.alarmTopic() != null ? props.alarmTopic() : createAlarmTopic(this, "AlarmTopic",
        props.removalPolicy());
    alarm("DeadLetterQueueNotEmpty", "Push events, sweep triggers or failure records that never reached their"
            + " function are waiting in the dead-letter queue",
        deadLetterQueue.metricApproximateNumberOfMessagesVisible(maximum()), 1);
    alarm("FailureQueueNotEmpty", "Indexing requests failed on their last attempt and wait in the failure"
            + " queue for replay",
        failureQueue.metricApproximateNumberOfMessagesVisible(maximum()), 1);
    alarm("IndexerErrors", "Indexer attempts failed (transient registry or ECR failures, timeouts, crashes);"
            + " Lambda retries them", indexer.metricErrors(sum()), 1);
    alarm("IndexerThrottles", "The indexer has been throttled for " + THROTTLE_ALARM_PERIODS * 5 + " minutes:"
            + " requests wait in Lambda's queue (at most 6 hours); raise the reserved concurrency",
        indexer.metricThrottles(sum()), THROTTLE_ALARM_PERIODS);
    alarm("FilterErrors", "The filter failed to decide on or pass on push events; Lambda retries them",
        filter.metricErrors(sum()), 1);
    alarm("SweepErrors", "A sweep run failed (ECR or the indexer could not be reached); Lambda retries it, and the"
        + " next scheduled sweep starts over", sweep.getFunction().metricErrors(sum()), 1);

    if (props.permissionsBoundary() != null) {
      PermissionsBoundary.of(this).apply(props.permissionsBoundary());
    }
    suppressJustifiedFindings(indexerRole);
  }

  /**
   * A topic for alarm notifications as this construct creates it when none is given: TLS-only publishing, no
   * fixed name. Public so that a stack can create it conditionally and pass it as {@code alarmTopic}.
   */
  public static Topic createAlarmTopic(Construct scope, String id, RemovalPolicy removalPolicy) {
    Topic topic = new Topic(scope, id, TopicProps.builder()
        .displayName("SOCI index builder alarms")
        .enforceSsl(true)
        .build());
    topic.applyRemovalPolicy(removalPolicy);
    NagSuppressions.addResourceSuppressions(topic, List.of(NagPackSuppression.builder()
        .id("AwsSolutions-SNS2")
        .reason("Alarm notifications carry alarm names and states only, no image or customer data. CloudWatch"
            + " alarms cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed"
            + " key would add a key and its policy to every deployment; teams that need encryption pass their"
            + " own topic (alarmTopic / AlarmTopicArn).")
        .build()));
    return topic;
  }

  private Map<String, String> indexerEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SOCI_INDEX_VERSION", props.indexVersion().value());
    env.put("SPAN_SIZE_BYTES", text(props.spanSizeBytes()));
    env.put("MIN_LAYER_SIZE_BYTES", text(props.minLayerSizeBytes()));
    env.put("BLOB_CONNECTIONS", text(props.blobConnections()));
    env.put("SOCI_TAG_SUFFIX", props.tagSuffix());
    env.put("RESULT_EVENT_BUS_NAME", resultBus.getEventBusArn());
    if (ztocCache != null) {
      env.put("ZTOC_CACHE_BUCKET", ztocCache.getBucket().getBucketName());
      env.put("ZTOC_CACHE_PREFIX", ZtocCacheBucket.PREFIX);
    }
    // Optional: a literal empty value (the default) is left out, a deploy-time one is passed (empty = default).
    putUnlessEmpty(env, "SOCI_OPTIMIZATIONS", props.sociOptimizations());
    putUnlessEmpty(env, "ZTOC_LIMITS", props.ztocLimits());
    return env;
  }

  private static Map<String, String> withJvmOptions(Map<String, String> env, String options) {
    env.put("JAVA_TOOL_OPTIONS", options);
    return env;
  }

  private static void putUnlessEmpty(Map<String, String> env, String name, String value) {
    if (Token.isUnresolved(value) || !value.isEmpty()) {
      env.put(name, value);
    }
  }

  /** A whole number as the environment holds it: its digits, or the token's string. */
  static String text(Number n) {
    return Token.isUnresolved(n) ? Token.asString(n) : Long.toString(n.longValue());
  }

  /** 0 leaves the function unreserved: the property is left out (through a condition for a deploy-time value). */
  private void reserveConcurrency(Function function, Number concurrency) {
    CfnFunction cfn = (CfnFunction) function.getNode().getDefaultChild();
    if (!Token.isUnresolved(concurrency)) {
      if (concurrency.longValue() > 0) {
        cfn.setReservedConcurrentExecutions(concurrency);
      }
      return;
    }
    CfnCondition reserves = new CfnCondition(this, "IndexerReservesConcurrency", CfnConditionProps.builder()
        .expression(Fn.conditionNot(Fn.conditionEquals(Token.asString(concurrency), "0")))
        .build());
    cfn.setReservedConcurrentExecutions(Token.asNumber(Fn.conditionIf(reserves.getLogicalId(),
        Token.asString(concurrency), Aws.NO_VALUE)));
  }

  private Queue replayableQueue(String id) {
    Queue queue = new Queue(this, id, QueueProps.builder()
        .encryption(QueueEncryption.SQS_MANAGED)
        .enforceSsl(true)
        .retentionPeriod(QUEUE_RETENTION)
        .removalPolicy(props.removalPolicy())
        .build());
    NagSuppressions.addResourceSuppressions(queue, List.of(NagPackSuppression.builder()
        .id("AwsSolutions-SQS3")
        .reason("This queue is itself the dead-letter / failure destination of the pipeline (rule target DLQ,"
            + " Lambda on-failure destination, failure records); a DLQ behind it would only move the same"
            + " messages once more. Messages are kept 14 days for an operator to replay, and an alarm fires"
            + " as soon as one arrives.")
        .build()));
    return queue;
  }

  private static MetricOptions maximum() {
    return MetricOptions.builder().statistic("Maximum").period(ALARM_PERIOD).build();
  }

  private static MetricOptions sum() {
    return MetricOptions.builder().statistic("Sum").period(ALARM_PERIOD).build();
  }

  private void alarm(String id, String description, IMetric metric, int periods) {
    Alarm alarm = new Alarm(this, id, AlarmProps.builder()
        .alarmDescription(description)
        .metric(metric)
        .threshold(1)
        .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
        .evaluationPeriods(periods)
        .datapointsToAlarm(periods)
        .treatMissingData(TreatMissingData.NOT_BREACHING)
        .build());
    alarm.addAlarmAction(new SnsAction(alarmTopic));
    alarm.addOkAction(new SnsAction(alarmTopic));
    alarms.add(alarm);
  }

  /** Every cdk-nag AwsSolutions finding on the indexer's role that this construct accepts, with its reason. */
  private void suppressJustifiedFindings(Role indexerRole) {
    List<Object> wildcards = new ArrayList<>();
    wildcards.add("Resource::*");
    wildcards.addAll(RepositoryArns.nagWildcards(props.filters()));
    String cacheReason = "";
    if (ztocCache != null) {
      wildcards.add(ztocCache.entriesNagResource());
      cacheReason = " The zTOC cache's entries are objects named by a content hash under " + ZtocCacheBucket.PREFIX
          + " of the construct's own bucket, so they can only be granted by that prefix.";
    }
    // applyToChildren: the findings are on the role's DefaultPolicy. Only these exact resources are accepted; any
    // other wildcard added later would still fail the synthesis.
    NagSuppressions.addResourceSuppressions(indexerRole, List.of(NagPackSuppression.builder()
        .id("AwsSolutions-IAM5")
        .appliesTo(wildcards)
        .reason("ecr:GetAuthorizationToken has no resource type: IAM only accepts Resource '*' for it"
            + " (https://docs.aws.amazon.com/service-authorization/latest/reference/"
            + "list_amazonelasticcontainerregistry.html), and the token alone grants nothing. The pull/push"
            + " actions are scoped to the repositories the filters can select: the repository globs of the"
            + " positive filters (wildcards by design: they are the user's globs), or every repository of the"
            + " account and region for a list of exclusions only." + cacheReason)
        .build()), true);
  }

  /** The configuration this construct was built with. */
  public SociIndexBuilderProps getProps() {
    return props;
  }

  /** The filter function (invoked by the push rule). */
  public Function getFilterFunction() {
    return filter;
  }

  /** The indexer function (invoked by the filter, asynchronously). */
  public Function getIndexerFunction() {
    return indexer;
  }

  /** The function that puts the final result event of a request whose last attempt failed. */
  public Function getFailureReporterFunction() {
    return failureReporter;
  }

  /** Push events that never reached the indexer, and failure records that could not be handled. */
  public Queue getDeadLetterQueue() {
    return deadLetterQueue;
  }

  /** The records of indexing requests whose last attempt failed ({@code detail.requestPayload}: the request). */
  public Queue getFailureQueue() {
    return failureQueue;
  }

  /** Where result events go. */
  public IEventBus getResultBus() {
    return resultBus;
  }

  /** The rule on ECR pushes. */
  public Rule getPushRule() {
    return pushRule;
  }

  /** The rule on the indexer's failure records (on the default bus). */
  public Rule getIndexerFailureRule() {
    return indexerFailureRule;
  }

  public LogGroup getFilterLogGroup() {
    return filterLogs;
  }

  public LogGroup getIndexerLogGroup() {
    return indexerLogs;
  }

  public LogGroup getFailureReporterLogGroup() {
    return failureReporterLogs;
  }

  /**
   * The sweep function (scheduled, run after each deployment, or invoked on demand with {@code {}} or
   * {@code {"dryRun":true}}).
   */
  public Function getSweepFunction() {
    return sweep.getFunction();
  }

  public LogGroup getSweepLogGroup() {
    return sweep.getLogGroup();
  }

  /** The rule that runs the sweep on its schedule, or null when the schedule is {@code none}. */
  public Rule getSweepScheduleRule() {
    return sweep.getScheduleRule();
  }

  /** The rule that runs the sweep after each deployment of the stack (CREATE_COMPLETE, UPDATE_COMPLETE). */
  public Rule getSweepDeployedRule() {
    return sweep.getDeployedRule();
  }

  /** The zTOC cache bucket, or null when the cache is disabled ({@code ztocCache(false)}). */
  public Bucket getZtocCacheBucket() {
    return ztocCache == null ? null : ztocCache.getBucket();
  }

  /** The topic the alarms notify (given or created). */
  public ITopic getAlarmTopic() {
    return alarmTopic;
  }

  /** The alarms: queues not empty, indexer errors and throttles, filter errors, sweep errors. */
  public List<Alarm> getAlarms() {
    return List.copyOf(alarms);
  }
}
