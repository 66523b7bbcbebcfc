package dev.socibuilder.filter.sweep;

import dev.socibuilder.filter.FilterConfig;
import dev.socibuilder.filter.IndexRequest;
import dev.socibuilder.filter.Json;
import dev.socibuilder.filter.SociMediaTypes;
import dev.socibuilder.filter.rules.FilterRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ecr.model.DescribeRepositoriesResponse;
import software.amazon.awssdk.services.ecr.model.ImageDetail;
import software.amazon.awssdk.services.ecr.model.InvalidParameterException;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;
import software.amazon.awssdk.services.ecr.model.TagStatus;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * One run of the sweep: lists the account's repositories ({@code DescribeRepositories}, 100 per page) and,
 * for each repository the filters might select, its tagged images ({@code DescribeImages}, all pages, since
 * the whole tag list tells which {@code <tag><suffix>} indexes exist), and sends every image that needs an
 * index to the indexer, asynchronously, with the filter's {@link IndexRequest}. Per tag, in this order (the
 * filter's): tags ending in the SOCI tag suffix, {@code sha256-<hex>} referrers tags and SOCI index manifests
 * are the builder's own output; images the filters do not select are left; with SOCI index v2, an image whose
 * {@code <tag><suffix>} tag exists is indexed already.
 *
 * <p>Bounded in every direction: invokes are paced ({@code MAX_INVOKES_PER_MINUTE}) and capped per sweep
 * ({@code MAX_INVOKES_PER_SWEEP}); a run stops {@link #DEFAULT_TIME_MARGIN} before its time is up and, unless
 * {@code MAX_RUNS_PER_SWEEP} runs have been chained, invokes its own function (the qualified ARN it was
 * invoked as) with a {@link SweepCursor}, so a registry of any size is swept across runs; a repository with
 * more than {@link #MAX_IMAGES_PER_REPOSITORY} tagged images is reported and skipped. Throttling and server
 * errors of ECR and Lambda are retried with capped, jittered backoff within the remaining time.
 */
public final class SweepService {
  /** How long before the function's timeout a run stops and hands over. */
  public static final Duration DEFAULT_TIME_MARGIN = Duration.ofSeconds(60);
  /** More tagged images than this in one repository: reported and skipped (memory stays bounded). */
  static final int MAX_IMAGES_PER_REPOSITORY = 100_000;
  /** DescribeRepositories page size: a resumed run re-reads at most this many names. */
  static final int REPOSITORIES_PER_PAGE = 100;
  /** DescribeImages page size, ECR's maximum. */
  static final int IMAGES_PER_PAGE = 1000;
  static final int MAX_ATTEMPTS = 6;
  static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  private static final Pattern REFERRERS_TAG = Pattern.compile("sha256-[0-9a-f]{64}|sha512-[0-9a-f]{128}");

  /** Sleeps between retries and paced invokes; injectable so tests run on a fake clock. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /** One tag of one image. */
  private record Image(String tag, String digest, String mediaType) {}

  private final SweepConfig config;
  private final EcrClient ecr;
  private final LambdaClient lambda;
  private final Consumer<String> logSink;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private final Duration margin;
  private final int repositoriesPerPage;
  private final int imagesPerPage;
  private final String registryHost;

  /**
   * A service that logs to standard output and sleeps for real.
   *
   * @param ecr lists repositories and images; not closed here
   * @param lambda invokes the indexer and the sweep itself; not closed here
   */
  public SweepService(SweepConfig config, EcrClient ecr, LambdaClient lambda, Consumer<String> logSink) {
    this(config, ecr, lambda, logSink, System::nanoTime, d -> Thread.sleep(d.toMillis()), DEFAULT_TIME_MARGIN,
        REPOSITORIES_PER_PAGE, IMAGES_PER_PAGE);
  }

  SweepService(SweepConfig config, EcrClient ecr, LambdaClient lambda, Consumer<String> logSink,
      LongSupplier nanoTime, Sleeper sleeper, Duration margin, int repositoriesPerPage, int imagesPerPage) {
    this.config = Objects.requireNonNull(config, "config");
    this.ecr = Objects.requireNonNull(ecr, "ecr");
    this.lambda = Objects.requireNonNull(lambda, "lambda");
    this.logSink = Objects.requireNonNull(logSink, "logSink");
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
    this.margin = margin;
    this.repositoriesPerPage = repositoriesPerPage;
    this.imagesPerPage = imagesPerPage;
    FilterConfig f = config.filter();
    this.registryHost = IndexRequest.ecrRegistryHost(f.expectedAccountId(), f.region());
  }

  /**
   * The service as the function runs it: configuration from {@code env}, ECR and Lambda clients for the
   * configured region with the function role's credentials and the SDK's endpoint resolution.
   *
   * @throws SweepConfigException if the environment is incomplete or invalid
   */
  public static SweepService fromEnvironment(Map<String, String> env) {
    SweepConfig config = SweepConfig.fromEnvironment(env);
    Region region = Region.of(config.filter().region());
    DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    return new SweepService(config, SweepClients.ecr(region, credentials, null),
        SweepClients.lambda(region, credentials, null), System.out::println);
  }

  /** The configuration this service runs with. */
  public SweepConfig config() {
    return config;
  }

  /**
   * Runs the sweep from the request's cursor (or from the start) until it is complete, the run's time is
   * nearly up, or the sweep's invoke budget is spent; then, if the time ran out, starts the next run.
   *
   * @param remaining the run's time left (the function's remaining time)
   * @param self the function to invoke with the cursor to go on (the qualified ARN this run was invoked
   *     as), or null never to continue
   * @param requestId for the log lines, or null
   * @throws SweepRequestException if the request's cursor is malformed
   * @throws SweepFailedException if the repositories cannot be listed or the indexer cannot be invoked
   */
  public SweepResult run(SweepRequest request, Duration remaining, String self, String requestId) {
    SweepRequest r = request == null ? new SweepRequest() : request;
    SweepCursor start = r.getCursor() == null || r.getCursor().isBlank()
        ? SweepCursor.start() : SweepCursor.decode(r.getCursor());
    Run run = new Run(start, r.dryRunRequested(), nanoTime.getAsLong() + remaining.toNanos(),
        new SweepLog(logSink, requestId));
    String stopped;
    try {
      stopped = sweep(run);
    } catch (SweepFailedException e) {
      SweepResult failed = run.result("failed: " + e.getMessage(), run.nextCursor().encode(), false);
      run.log.write("ERROR", "sweep run failed", failed.toMap());
      throw e;
    }
    boolean complete = stopped.equals("complete");
    String cursor = complete ? null : run.nextCursor().encode();
    boolean continued = false;
    if (stopped.equals("time")) {
      if (start.run() >= config.runsPerSweep()) {
        stopped = "run limit";
      } else if (self != null) {
        continued = continueWith(run, self, cursor);
      }
    }
    SweepResult result = run.result(stopped, cursor, continued);
    run.log.write(complete || continued || stopped.equals("invoke budget") ? "INFO" : "WARN",
        "sweep run finished", result.toMap());
    return result;
  }

  // ---------------------------------------------------------------- the sweep

  /** Sweeps from the run's cursor; returns why it stopped. */
  private String sweep(Run run) {
    String token = run.start.repositoriesToken();
    String resumeRepository = run.start.repository();
    String resumeAfter = run.start.afterTag();
    boolean restarted = false;
    while (true) {
      run.at(token, resumeRepository, resumeAfter);
      if (!run.timeLeft()) {
        return "time";
      }
      DescribeRepositoriesResponse page;
      try {
        String t = token;
        page = call(run, () -> ecr.describeRepositories(b -> b.registryId(config.filter().expectedAccountId())
            .maxResults(repositoriesPerPage).nextToken(t)));
      } catch (InvalidParameterException e) {
        if (token == null || restarted) {
          throw new SweepFailedException("list the repositories of " + registryHost + ": " + describe(e), e);
        }
        // The cursor's listing token is no longer accepted: start over (what was sent is indexed or queued,
        // and the indexer is idempotent).
        run.log.write("WARN", "the cursor's repository listing token was refused; starting over from the first"
            + " repository", fields("error", describe(e)));
        token = null;
        resumeRepository = null;
        resumeAfter = null;
        restarted = true;
        continue;
      } catch (SdkException e) {
        throw new SweepFailedException("list the repositories of " + registryHost + ": " + describe(e), e);
      }
      List<String> names = page.repositories().stream().map(Repository::repositoryName).toList();
      int from = resumeRepository == null ? 0 : Math.max(0, names.indexOf(resumeRepository));
      for (int i = from; i < names.size(); i++) {
        String repository = names.get(i);
        String after = repository.equals(resumeRepository) ? resumeAfter : null;
        String stopped = sweepRepository(run, token, repository, after);
        if (stopped != null) {
          return stopped;
        }
      }
      if (page.nextToken() == null) {
        run.at(null, null, null);
        return "complete";
      }
      token = page.nextToken();
      resumeRepository = null;
      resumeAfter = null;
    }
  }

  /** Sweeps one repository; returns why the run stops, or null to go on with the next repository. */
  private String sweepRepository(Run run, String token, String repository, String afterTag) {
    run.at(token, repository, afterTag);
    if (!run.timeLeft()) {
      return "time";
    }
    run.repositories++;
    FilterRules filters = config.filter().filters();
    if (!filters.mightSelectRepository(repository)) {
      run.repositoriesExcluded++;
      return null;
    }
    List<Image> images = new ArrayList<>();
    Set<String> tags = new HashSet<>();
    String next = null;
    do {
      if (!run.timeLeft()) {
        run.repositories--; // looked at again by the next run
        return "time";
      }
      DescribeImagesResponse page;
      try {
        String t = next;
        page = call(run, () -> ecr.describeImages(b -> b.registryId(config.filter().expectedAccountId())
            .repositoryName(repository).maxResults(imagesPerPage).nextToken(t)
            .filter(f -> f.tagStatus(TagStatus.TAGGED))));
      } catch (RepositoryNotFoundException e) {
        return null; // deleted since it was listed
      } catch (SdkException e) {
        run.repositoriesFailed++;
        run.log.write("WARN", "cannot list the images of a repository; going on with the others",
            fields("repository", repository, "error", describe(e)));
        return null;
      }
      for (ImageDetail d : page.imageDetails()) {
        boolean sociIndex = SociMediaTypes.isSociIndex(d.artifactMediaType(), d.imageManifestMediaType());
        for (String tag : d.imageTags()) {
          tags.add(tag);
          // SOCI index manifests are the builder's own output whatever their tag: remembered as a suffix tag
          images.add(new Image(sociIndex ? null : tag, d.imageDigest(), d.imageManifestMediaType()));
        }
      }
      if (images.size() > MAX_IMAGES_PER_REPOSITORY) {
        run.repositoriesFailed++;
        run.log.write("WARN", "more than " + MAX_IMAGES_PER_REPOSITORY + " tagged images in a repository; skipped",
            fields("repository", repository));
        return null;
      }
      next = page.nextToken();
    } while (next != null);

    List<Image> toIndex = new ArrayList<>();
    String suffix = config.filter().tagSuffix();
    for (Image image : images) {
      run.images++;
      if (image.tag() == null || image.tag().endsWith(suffix) || REFERRERS_TAG.matcher(image.tag()).matches()) {
        run.skipped++;
      } else if (!filters.selects(repository, image.tag())) {
        run.excluded++;
      } else if (config.v2() && tags.contains(image.tag() + suffix)) {
        run.alreadyIndexed++;
      } else if (afterTag == null || image.tag().compareTo(afterTag) > 0) {
        toIndex.add(image);
      }
    }
    toIndex.sort(Comparator.comparing(Image::tag));
    for (Image image : toIndex) {
      if (run.start.invoked() + run.invoked >= config.invokesPerSweep()) {
        return "invoke budget";
      }
      if (!run.pace()) {
        return "time";
      }
      IndexRequest request = new IndexRequest(registryHost, repository, image.digest(), image.tag(), image.mediaType());
      if (!run.dryRun) {
        invokeIndexer(run, request);
      }
      run.invoked++;
      run.at(token, repository, image.tag());
      run.log.write("INFO", run.dryRun ? "would invoke the indexer" : "invoked the indexer",
          fields("repository", repository, "tag", image.tag(), "digest", image.digest()));
    }
    run.at(token, repository, null);
    return null;
  }

  private void invokeIndexer(Run run, IndexRequest request) {
    String function = config.filter().indexerFunctionName();
    invoke(run, function, request.toJson(), "invoke " + function + " for " + request.repository() + ":" + request.tag());
  }

  private boolean continueWith(Run run, String self, String cursor) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("cursor", cursor);
    if (run.dryRun) {
      payload.put("dryRun", true);
    }
    try {
      invoke(run, self, Json.object(payload), "invoke " + self + " to continue the sweep");
      return true;
    } catch (SweepFailedException e) {
      run.log.write("ERROR", "cannot start the next run of the sweep; the next scheduled sweep starts over",
          fields("error", e.getMessage()));
      return false;
    }
  }

  private void invoke(Run run, String function, String payload, String what) {
    InvokeResponse response;
    try {
      response = call(run, () -> lambda.invoke(b -> b.functionName(function).invocationType(InvocationType.EVENT)
          .payload(SdkBytes.fromUtf8String(payload))));
    } catch (SdkException e) {
      throw new SweepFailedException(what + " failed: " + describe(e), e);
    }
    // An asynchronous invoke is accepted with 202; anything else means it was not queued.
    if (response.statusCode() == null || response.statusCode() != 202) {
      throw new SweepFailedException(what + ": unexpected status " + response.statusCode() + " (expected 202)", null);
    }
  }

  // ---------------------------------------------------------------- retries

  /**
   * Runs an AWS call, retrying throttling, 5xx and I/O failures with capped, jittered exponential backoff
   * ({@link #MAX_ATTEMPTS} attempts) as long as the run has time for the wait.
   */
  private <T> T call(Run run, Supplier<T> call) {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (SdkException e) {
        if (!retryable(e) || attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        long base = Math.min(MAX_BACKOFF.toMillis(), 500L << (attempt - 1));
        Duration wait = Duration.ofMillis(base / 2 + (long) (ThreadLocalRandom.current().nextDouble() * (base - base / 2)));
        if (!run.hasTimeFor(wait)) {
          throw e;
        }
        run.sleep(wait);
      }
    }
  }

  private static boolean retryable(SdkException e) {
    if (e instanceof AwsServiceException a) {
      return a.isThrottlingException() || a.statusCode() >= 500;
    }
    return e instanceof SdkClientException;
  }

  /** An AWS failure for a log line: the error code (e.g. {@code AccessDeniedException}) and message. */
  private static String describe(SdkException e) {
    String code = e instanceof AwsServiceException a && a.awsErrorDetails() != null
        ? a.awsErrorDetails().errorCode() : null;
    return (code != null ? code + ": " : "") + e.getMessage();
  }

  private static Map<String, Object> fields(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  // ---------------------------------------------------------------- one run's state

  /** The state of one run: its deadline, pace, counters and position. */
  private final class Run {
    final SweepCursor start;
    final boolean dryRun;
    final long deadline;
    final SweepLog log;
    final long began = nanoTime.getAsLong();
    final long interval;
    long nextInvoke = Long.MIN_VALUE;
    int repositories;
    int repositoriesExcluded;
    int repositoriesFailed;
    int images;
    int excluded;
    int skipped;
    int alreadyIndexed;
    int invoked;
    String token;
    String repository;
    String afterTag;

    Run(SweepCursor start, boolean dryRun, long deadline, SweepLog log) {
      this.start = start;
      this.dryRun = dryRun;
      this.deadline = deadline;
      this.log = log;
      this.interval = Duration.ofMinutes(1).toNanos() / config.invokesPerMinute();
    }

    void at(String t, String repo, String after) {
      token = t;
      repository = repo;
      afterTag = after;
    }

    boolean timeLeft() {
      return hasTimeFor(Duration.ZERO);
    }

    boolean hasTimeFor(Duration d) {
      return deadline - nanoTime.getAsLong() - d.toNanos() > margin.toNanos();
    }

    /** Waits for the next invoke's turn; false if the run has no time left for that. */
    boolean pace() {
      long now = nanoTime.getAsLong();
      if (nextInvoke != Long.MIN_VALUE && now < nextInvoke) {
        Duration wait = Duration.ofNanos(nextInvoke - now);
        if (!hasTimeFor(wait)) {
          return false;
        }
        sleep(wait);
        now = nanoTime.getAsLong();
      } else if (!timeLeft()) {
        return false;
      }
      nextInvoke = Math.max(now, nextInvoke == Long.MIN_VALUE ? now : nextInvoke) + interval;
      return true;
    }

    void sleep(Duration d) {
      try {
        sleeper.sleep(d);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SweepFailedException("interrupted", e);
      }
    }

    SweepCursor nextCursor() {
      return start.next(token, repository, afterTag, start.invoked() + invoked);
    }

    SweepResult result(String stoppedBecause, String cursor, boolean continued) {
      return new SweepResult(start.run(), dryRun, cursor == null, stoppedBecause, cursor, continued, repositories,
          repositoriesExcluded, repositoriesFailed, images, excluded, skipped, alreadyIndexed, invoked,
          start.invoked() + invoked, Duration.ofNanos(nanoTime.getAsLong() - began).toMillis());
    }
  }
}
