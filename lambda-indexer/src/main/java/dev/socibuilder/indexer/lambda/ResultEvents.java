package dev.socibuilder.indexer.lambda;

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
    if (account == null || repository == null || !IndexerService.REPOSITORY.matcher(repository).matches()) {
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
        .detail(Json.write(detail));
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
}
