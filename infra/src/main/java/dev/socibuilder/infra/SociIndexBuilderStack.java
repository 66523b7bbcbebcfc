package dev.socibuilder.infra;

import java.util.Objects;
import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnCondition;
import software.amazon.awscdk.CfnConditionProps;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.CfnOutputProps;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.ICfnConditionExpression;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.sns.CfnSubscription;
import software.amazon.awscdk.services.sns.CfnSubscriptionProps;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The ready-to-deploy stack: one {@link SociIndexBuilder} configured by CloudFormation parameters (see
 * {@link StackParameters}), so that a parameter changes with {@code cdk deploy --parameters NAME=VALUE} without
 * touching code. It adds only what parameters cannot express in the construct's typed props: the alarm topic
 * (created unless {@code AlarmTopicArn} names one), the optional e-mail subscription and the optional permissions
 * boundary, each through a condition; and the outputs an operator needs.
 */
public final class SociIndexBuilderStack extends Stack {

  /** The filter function's handler (module lambda-filter). */
  public static final String FILTER_HANDLER = SociIndexBuilder.FILTER_HANDLER;
  /** The indexer function's handler (module lambda-indexer). */
  public static final String INDEXER_HANDLER = SociIndexBuilder.INDEXER_HANDLER;
  /** The sweep function's handler (module lambda-filter). */
  public static final String SWEEP_HANDLER = SociIndexBuilder.SWEEP_HANDLER;
  /** {@code source} of the result events. */
  public static final String RESULT_EVENT_SOURCE = SociIndexBuilder.RESULT_EVENT_SOURCE;
  /** {@code detail-type} of the result events. */
  public static final String RESULT_DETAIL_TYPE = SociIndexBuilder.RESULT_DETAIL_TYPE;

  private final SociIndexBuilder builder;

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

    // The alarm topic: created unless an existing one is named; an e-mail address subscribed if given.
    CfnCondition createTopic = condition("CreateAlarmTopic",
        Fn.conditionEquals(params.alarmTopicArn.getValueAsString(), ""));
    Topic createdTopic = SociIndexBuilder.createAlarmTopic(this, "AlarmTopic", RemovalPolicy.DESTROY);
    onlyIf(createdTopic, createTopic);
    ITopic alarmTopic = Topic.fromTopicArn(this, "AlarmTopicUsed", Token.asString(Fn.conditionIf(
        createTopic.getLogicalId(), createdTopic.getTopicArn(), params.alarmTopicArn.getValueAsString())));
    CfnSubscription email = new CfnSubscription(this, "AlarmEmailSubscription", CfnSubscriptionProps.builder()
        .protocol("email")
        .endpoint(params.alarmEmail.getValueAsString())
        .topicArn(alarmTopic.getTopicArn())
        .build());
    email.getCfnOptions().setCondition(condition("HasAlarmEmail",
        Fn.conditionNot(Fn.conditionEquals(params.alarmEmail.getValueAsString(), ""))));

    CfnCondition hasBoundary = condition("HasPermissionsBoundary",
        Fn.conditionNot(Fn.conditionEquals(params.permissionsBoundaryArn.getValueAsString(), "")));
    builder = new SociIndexBuilder(this, "Builder", SociIndexBuilderProps.builder()
        .artifacts(artifacts)
        .filters(params.repositoryImageTagFilters.getValueAsString())
        .indexVersion(IndexVersion.of(params.sociIndexVersion.getValueAsString()))
        .spanSizeBytes(Token.asNumber(params.spanSizeBytes.getValueAsString()))
        .minLayerSizeBytes(Token.asNumber(params.minLayerSizeBytes.getValueAsString()))
        .tagSuffix(params.sociTagSuffix.getValueAsString())
        .indexUntaggedPushes(params.indexUntaggedPushes.getValueAsString())
        .indexerMemoryMiB(Token.asNumber(params.indexerMemoryMiB.getValueAsString()))
        .indexerReservedConcurrency(Token.asNumber(params.indexerReservedConcurrency.getValueAsString()))
        .resultBus(EventBus.fromEventBusName(this, "ResultBus", params.resultEventBusName.getValueAsString()))
        .alarmTopic(alarmTopic)
        .permissionsBoundary(ManagedPolicy.fromManagedPolicyArn(this, "PermissionsBoundary",
            Token.asString(Fn.conditionIf(hasBoundary.getLogicalId(),
                params.permissionsBoundaryArn.getValueAsString(), Aws.NO_VALUE))))
        .backfillSchedule(params.backfillSchedule.getValueAsString())
        .backfillInvokesPerMinute(Token.asNumber(params.backfillInvokesPerMinute.getValueAsString()))
        .blobConnections(Token.asNumber(params.blobConnections.getValueAsString()))
        .ztocCacheDays(Token.asNumber(params.ztocCacheDays.getValueAsString()))
        .sociOptimizations(params.sociOptimizations.getValueAsString())
        .ztocLimits(params.ztocLimits.getValueAsString())
        .build());

    output("FilterFunctionName", builder.getFilterFunction().getFunctionName(),
        "The filter Lambda function (replay dead-lettered push events into it)");
    output("IndexerFunctionName", builder.getIndexerFunction().getFunctionName(),
        "The indexer Lambda function (invoke it by hand, or replay failed requests into it)");
    output("FailureReporterFunctionName", builder.getFailureReporterFunction().getFunctionName(),
        "The function that puts the final result event of a request whose last attempt failed");
    output("FilterFunctionArn", builder.getFilterFunction().getFunctionArn(), "For more alarms on the filter");
    output("IndexerFunctionArn", builder.getIndexerFunction().getFunctionArn(), "For more alarms on the indexer");
    output("DeadLetterQueueUrl", builder.getDeadLetterQueue().getQueueUrl(),
        "Push events that never reached the indexer (delivery or filter failures), failure records not handled");
    output("DeadLetterQueueArn", builder.getDeadLetterQueue().getQueueArn(), "For more alarms on the DLQ");
    output("FailureQueueUrl", builder.getFailureQueue().getQueueUrl(),
        "Records of indexing requests whose last attempt failed (replay detail.requestPayload into the indexer)");
    output("FailureQueueArn", builder.getFailureQueue().getQueueArn(), "For more alarms on the failure queue");
    output("AlarmTopicInUse", alarmTopic.getTopicArn(),
        "ARN of the SNS topic the alarms notify (created, or AlarmTopicArn)");
    output("FilterLogGroupName", builder.getFilterLogGroup().getLogGroupName(), "The filter's CloudWatch log group");
    output("IndexerLogGroupName", builder.getIndexerLogGroup().getLogGroupName(),
        "The indexer's CloudWatch log group");
    output("FailureReporterLogGroupName", builder.getFailureReporterLogGroup().getLogGroupName(),
        "The failure reporter's CloudWatch log group");
    output("SweepFunctionName", builder.getSweepFunction().getFunctionName(),
        "The sweep Lambda function (invoke it with {} to sweep now, {\"dryRun\":true} to see what it would send)");
    output("SweepLogGroupName", builder.getSweepLogGroup().getLogGroupName(), "The sweep's CloudWatch log group");
    output("ZtocCacheBucketName", builder.getZtocCacheBucket().getBucketName(),
        "The zTOC cache bucket (kept when the stack is deleted)");
    output("ResultEventBusArn", builder.getResultBus().getEventBusArn(), "The bus that gets the result events");
    output("ResultEventSource", RESULT_EVENT_SOURCE, "source of the result events");
    output("ResultEventDetailType", RESULT_DETAIL_TYPE, "detail-type of the result events");

    acknowledgeParameterBranchFindings();
  }

  /**
   * CDK's template validation (the recommended flag {@code @aws-cdk/core:validateAgainstDefaultRules}) resolves
   * every branch of an {@code Fn::If} with the parameters' default values, whatever the condition. Three of its
   * findings are only that; the tests check that these rules report nothing else.
   */
  private void acknowledgeParameterBranchFindings() {
    Validations.of(this).acknowledge(
        Acknowledgment.builder()
            .id("CloudFormation-Validate::F3033")
            .reason("The optional AlarmTopicArn and PermissionsBoundaryArn default to \"\" (none), which reaches"
                + " AlarmActions, OKActions and PermissionsBoundary only in the Fn::If branch their conditions"
                + " (CreateAlarmTopic, HasPermissionsBoundary) never take for \"\"; the parameters' patterns"
                + " admit only valid ARNs otherwise.")
            .build(),
        Acknowledgment.builder()
            .id("CloudFormation-Validate::W1001")
            .reason("The output AlarmTopicInUse refers to the created topic in the branch of the very condition"
                + " (CreateAlarmTopic) that creates it.")
            .build(),
        Acknowledgment.builder()
            .id("CloudFormation-Validate::W9003")
            .reason("CloudFormation passes every parameter to a resource as a string; the reserved concurrency is"
                + " a whole number by its parameter's pattern, and Lambda reads \"10\" as 10.")
            .build());
  }

  /** The construct this stack configures. */
  public SociIndexBuilder getBuilder() {
    return builder;
  }

  private CfnCondition condition(String id, ICfnConditionExpression expression) {
    return new CfnCondition(this, id, CfnConditionProps.builder().expression(expression).build());
  }

  /** Makes every CloudFormation resource under {@code construct} conditional. */
  private static void onlyIf(IConstruct construct, CfnCondition condition) {
    for (IConstruct c : construct.getNode().findAll()) {
      if (c instanceof CfnResource r) {
        r.getCfnOptions().setCondition(condition);
      }
    }
  }

  private void output(String id, String value, String description) {
    new CfnOutput(this, id, CfnOutputProps.builder().value(value).description(description).build());
  }
}
