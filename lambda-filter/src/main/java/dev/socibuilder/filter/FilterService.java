package dev.socibuilder.filter;

import dev.socibuilder.filter.event.EcrImageAction;
import dev.socibuilder.filter.rules.FilterRule;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * Decides, for each ECR image event, whether to index the image, and if so invokes the indexer
 * asynchronously with a small {@link IndexRequest}.
 *
 * <p>Ignored without invoking, in this order: malformed events and events that are not ECR Image
 * Actions; events from another account or region than the stack's; actions other than a
 * successful PUSH; the builder's own output (SOCI index manifests, recognised by their artifact
 * type, and tags ending in the SOCI tag suffix, which is how the builder's SOCI-enabled image index
 * is published); digest-only pushes unless {@code INDEX_UNTAGGED} is set; images the filters do not
 * select. Each decision is logged as one JSON line.
 *
 * <p>The children of the builder's v2 output (the image manifests it rewrote) arrive as digest-only
 * pushes of ordinary image manifests, and so would the v2 image index itself if it were pushed by
 * digest before being tagged; an event alone cannot tell them from a user's push. They are ignored
 * with the other digest-only pushes by default; with {@code INDEX_UNTAGGED} set they reach the
 * indexer, which must recognise them by their {@code com.amazon.soci.index-digest} annotations.
 */
public final class FilterService {

  private static final String MALFORMED = "malformed event: ";

  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}");
  // ECR (and the OCI distribution spec) limit repository names and tags to these shapes and lengths. The
  // quantifiers are possessive: with plain ones Java matches each repetition of a group by recursion, and
  // an event with a name of a few thousand characters overflowed the stack. (The grammar never needs to
  // give a repetition back, so possessive quantifiers match the same names.)
  private static final int MAX_REPOSITORY_LENGTH = 256;
  private static final Pattern REPOSITORY = Pattern.compile(
      "[a-z0-9]++(?:(?:[._]|__|-++)[a-z0-9]++)*+(?:/[a-z0-9]++(?:(?:[._]|__|-++)[a-z0-9]++)*+)*+");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}+");

  private final FilterConfig config;
  private final LambdaClient lambda;
  private final DecisionLog log;

  /**
   * A service that logs its decisions to standard output.
   *
   * @param config what to index and whom to invoke
   * @param lambda the client to invoke the indexer with; not closed by this service
   */
  public FilterService(FilterConfig config, LambdaClient lambda) {
    this(config, lambda, System.out::println);
  }

  /**
   * A service that writes its JSON log lines to {@code logSink}.
   *
   * @param config what to index and whom to invoke
   * @param lambda the client to invoke the indexer with; not closed by this service
   * @param logSink receives one JSON line per decision
   */
  public FilterService(FilterConfig config, LambdaClient lambda, Consumer<String> logSink) {
    if (config == null || lambda == null || logSink == null) {
      throw new IllegalArgumentException("config, lambda and logSink are required");
    }
    this.config = config;
    this.lambda = lambda;
    this.log = new DecisionLog(logSink, Clock.systemUTC());
  }

  /**
   * The service as the Lambda function runs it: configuration from {@code env}, a Lambda client for
   * the configured region with the default credentials (the function's role) and the SDK's
   * endpoint resolution (which honours {@code AWS_ENDPOINT_URL_LAMBDA}).
   *
   * @throws FilterConfigException if the environment is incomplete or invalid
   */
  public static FilterService fromEnvironment(Map<String, String> env) {
    FilterConfig config = FilterConfig.fromEnvironment(env);
    LambdaClient client =
        LambdaClients.create(Region.of(config.region()), DefaultCredentialsProvider.builder().build(), null);
    return new FilterService(config, client);
  }

  /** The configuration this service runs with. */
  public FilterConfig config() {
    return config;
  }

  /**
   * Decides on one event, invokes the indexer if the image is selected, and logs the decision.
   *
   * @param event the event as received
   * @param requestId the Lambda request id for the log line, or {@code null}
   * @return the decision
   * @throws IndexerInvocationException if the indexer could not be invoked (so that Lambda retries)
   */
  public Decision handle(EcrImageAction event, String requestId) {
    Optional<String> malformed = malformation(event);
    if (malformed.isPresent()) {
      Decision decision = Decision.ignored(MALFORMED + malformed.get(), event);
      log.decision("WARN", decision, requestId);
      return decision;
    }
    Decision decision = decide(event);
    if (decision.invoked()) {
      invoke(decision, requestId);
    }
    // A malformed event is worth a warning: ECR does not send them, so something upstream changed.
    log.decision(decision.reason().startsWith(MALFORMED) ? "WARN" : "INFO", decision, requestId);
    return decision;
  }

  /** Why an event cannot be an ECR Image Action worth looking at, if it cannot. */
  private static Optional<String> malformation(EcrImageAction e) {
    if (!EcrImageAction.SOURCE.equals(e.source()) || !EcrImageAction.DETAIL_TYPE.equals(e.detailType())) {
      return Optional.of("not an " + EcrImageAction.SOURCE + " '" + EcrImageAction.DETAIL_TYPE
          + "' event (source " + e.source() + ", detail-type " + e.detailType() + ")");
    }
    if (e.malformedField() != null) {
      return Optional.of(e.malformedField()
          + (e.malformedField().equals("detail") ? " is not an object" : " is not a string"));
    }
    if (!e.hasDetail()) {
      return Optional.of("no detail");
    }
    if (e.account() == null || e.region() == null) {
      return Optional.of("no account or region");
    }
    if (e.actionType() == null || e.result() == null) {
      return Optional.of("no action-type or result");
    }
    return Optional.empty();
  }

  private Decision decide(EcrImageAction e) {
    if (!config.expectedAccountId().equals(e.account())) {
      return Decision.ignored("event from account " + e.account() + ", not the stack's account", e);
    }
    if (!config.region().equals(e.region())) {
      return Decision.ignored("event from region " + e.region() + ", not the stack's region " + config.region(), e);
    }
    if (!"PUSH".equals(e.actionType())) {
      return Decision.ignored("action-type " + e.actionType() + " is not PUSH", e);
    }
    if (!"SUCCESS".equals(e.result())) {
      return Decision.ignored("push result " + e.result() + " is not SUCCESS", e);
    }
    // Only now are the image fields needed: a failed push or a delete may lack them.
    if (e.repositoryName() == null || e.repositoryName().length() > MAX_REPOSITORY_LENGTH
        || !REPOSITORY.matcher(e.repositoryName()).matches()) {
      return malformed("repository-name " + quoted(e.repositoryName()) + " is not a repository name", e);
    }
    if (e.imageDigest() == null || !DIGEST.matcher(e.imageDigest()).matches()) {
      return malformed("image-digest " + quoted(e.imageDigest()) + " is not a sha256 or sha512 digest", e);
    }
    if (e.imageTag() != null && !TAG.matcher(e.imageTag()).matches()) {
      return malformed("image-tag " + quoted(e.imageTag()) + " is not a tag", e);
    }
    // Loop guard: never index what the builder itself pushed.
    if (SociMediaTypes.isSociIndex(e.artifactMediaType(), e.manifestMediaType())) {
      return Decision.ignored("SOCI index manifest (artifact type "
          + (e.artifactMediaType() != null ? e.artifactMediaType() : e.manifestMediaType())
          + "), the builder's own output", e);
    }
    if (e.imageTag() != null && e.imageTag().endsWith(config.tagSuffix())) {
      return Decision.ignored("tag ends with the SOCI tag suffix " + config.tagSuffix()
          + ", the builder's own output", e);
    }
    String tag = e.imageTag() == null ? "" : e.imageTag();
    if (e.imageTag() == null && !config.indexUntagged()) {
      return Decision.ignored("digest-only push (INDEX_UNTAGGED is false)", e);
    }
    String image = e.repositoryName() + ":" + tag;
    Optional<FilterRule> rule = config.filters().decidingRule(e.repositoryName(), tag);
    if (!config.filters().selects(e.repositoryName(), tag)) {
      return Decision.ignored(rule
          .map(r -> "excluded by filter " + r.text())
          .orElse("no filter matches " + image + " (filters " + config.filters() + ")"), e);
    }
    String reason = rule.map(r -> "selected by filter " + r.text())
        .orElse("not excluded by any filter (filters " + config.filters() + ")");
    IndexRequest request = new IndexRequest(
        IndexRequest.ecrRegistryHost(e.account(), e.region()),
        e.repositoryName(),
        e.imageDigest(),
        e.imageTag(),
        e.manifestMediaType());
    return new Decision(true, reason, e, request);
  }

  private static Decision malformed(String why, EcrImageAction e) {
    return Decision.ignored(MALFORMED + why, e);
  }

  /** An event value for a reason: quoted, and cut (an event may carry a name of megabytes). */
  private static String quoted(String s) {
    return s == null ? "(absent)" : "'" + DecisionLog.bounded(s, 100) + "'";
  }

  private void invoke(Decision decision, String requestId) {
    IndexRequest request = decision.request();
    String what = "invoke " + config.indexerFunctionName() + " for "
        + request.repository() + "@" + request.digest();
    InvokeResponse response;
    try {
      response = lambda.invoke(InvokeRequest.builder()
          .functionName(config.indexerFunctionName())
          .invocationType(InvocationType.EVENT)
          .payload(SdkBytes.fromUtf8String(request.toJson()))
          .build());
    } catch (SdkException e) {
      log.invocationFailed(what + " failed: " + e.getMessage(), decision.event(), requestId);
      throw new IndexerInvocationException(what + " failed: " + e.getMessage(), e);
    }
    // An asynchronous invoke is accepted with 202; anything else means it was not queued.
    if (response.statusCode() == null || response.statusCode() != 202) {
      String message = what + ": unexpected status " + response.statusCode() + " (expected 202)";
      log.invocationFailed(message, decision.event(), requestId);
      throw new IndexerInvocationException(message, null);
    }
  }
}
