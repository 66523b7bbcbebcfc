package dev.socibuilder.indexer.lambda;

import dev.socibuilder.oci.DistributionNames;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

/** Puts one result event per request on an EventBridge bus. */
final class ResultEvents {

  /** {@code source} of the result events (the stack outputs the same value). */
  static final String SOURCE = "soci-index-builder";
  /** {@code detail-type} of the result events (the stack outputs the same value). */
  static final String DETAIL_TYPE = "SOCI Index Result";
  /**
   * The largest detail put: EventBridge takes entries up to 256 KB (detail, source, detail-type and
   * resources together).
   */
  static final int MAX_DETAIL_BYTES = 200 * 1024;
  /** What a detail keeps when it is too large (its lists of digests and layers are dropped). */
  private static final List<String> ESSENTIAL = List.of("outcome", "retrying", "message", "registry", "repository",
      "imageDigest", "tag", "indexVersion", "sociIndexDigest", "sociImageIndexDigest", "newTag", "ztocs",
      "skippedLayerCount", "durationMillis");

  private final EventBridgeClient client;
  private final String busName;

  ResultEvents(EventBridgeClient client, String busName) {
    this.client = client;
    this.busName = busName;
  }

  /**
   * The ARN of an ECR repository, for an event's resources.
   *
   * @param region the function's region (the partition follows from it)
   * @param account the repository's account, or null
   * @param repository the repository name, or null
   * @return the ARN, or null when the account or a valid repository name is missing
   */
  static String repositoryArn(String region, String account, String repository) {
    if (account == null || repository == null || !DistributionNames.isRepository(repository)) {
      return null;
    }
    String partition = PartitionMetadata.of(Region.of(region)).id();
    return "arn:" + partition + ":ecr:" + region + ":" + account + ":repository/" + repository;
  }

  /**
   * Puts the event.
   *
   * @param detail the event's detail
   * @param resource the repository ARN the event is about, or null
   * @return null when EventBridge accepted the event, else why not (never throws: a result that cannot
   *     be announced is still the result)
   */
  String put(Map<String, Object> detail, String resource) {
    PutEventsRequestEntry.Builder entry = PutEventsRequestEntry.builder()
        .eventBusName(busName)
        .source(SOURCE)
        .detailType(DETAIL_TYPE)
        .detail(boundedDetail(detail));
    if (resource != null) {
      entry.resources(resource);
    }
    try {
      PutEventsResponse response = client.putEvents(b -> b.entries(List.of(entry.build())));
      Integer failed = response.failedEntryCount();
      if (failed != null && failed > 0) {
        PutEventsResultEntry e = response.entries().isEmpty() ? null : response.entries().get(0);
        return "EventBridge rejected the result event"
            + (e == null ? "" : ": " + e.errorCode() + " " + e.errorMessage());
      }
      return null;
    } catch (SdkException | IllegalArgumentException e) {
      return "cannot put the result event on bus " + busName + ": " + e.getMessage();
    }
  }

  /**
   * The detail as JSON, at most {@value #MAX_DETAIL_BYTES} bytes: strings are already cut by {@link Json};
   * an image of thousands of platforms could still make the lists too long, and then only the essential
   * fields are sent, with {@code "truncated": true}.
   */
  static String boundedDetail(Map<String, Object> detail) {
    String json = Json.write(detail);
    if (json.getBytes(StandardCharsets.UTF_8).length <= MAX_DETAIL_BYTES) {
      return json;
    }
    Map<String, Object> essential = new LinkedHashMap<>();
    for (String key : ESSENTIAL) {
      if (detail.containsKey(key)) {
        essential.put(key, detail.get(key));
      }
    }
    essential.put("truncated", true);
    return Json.write(essential);
  }
}
