package dev.socibuilder.filter.event;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.util.Map;

/**
 * The fields of an EventBridge {@code ECR Image Action} event that the filter looks at, as received:
 * nothing is validated here, so that a malformed event can still be logged with whatever it has.
 * Absent and empty strings are both {@code null}, and a field of the wrong JSON type is recorded
 * in {@link #malformedField()}.
 *
 * <p>ECR puts in {@code detail}: {@code result} (SUCCESS or FAILURE), {@code repository-name},
 * {@code image-digest}, {@code action-type} (PUSH or DELETE), {@code image-tag} (absent for a
 * push by digest), {@code manifest-media-type} and {@code artifact-media-type} (the config media
 * type or artifact type of a manifest; absent for an image index).
 *
 * @param id the EventBridge event id
 * @param source the event source, {@code aws.ecr}
 * @param detailType the detail type, {@code ECR Image Action}
 * @param account the account the repository is in
 * @param region the region the repository is in
 * @param hasDetail whether the event has a {@code detail} object at all
 * @param result {@code detail.result}
 * @param actionType {@code detail.action-type}
 * @param repositoryName {@code detail.repository-name}
 * @param imageDigest {@code detail.image-digest}
 * @param imageTag {@code detail.image-tag}, {@code null} for a digest-only push
 * @param manifestMediaType {@code detail.manifest-media-type}
 * @param artifactMediaType {@code detail.artifact-media-type}
 * @param malformedField the first detail field that is present but not a string, or {@code null}
 */
public record EcrImageAction(
    String id,
    String source,
    String detailType,
    String account,
    String region,
    boolean hasDetail,
    String result,
    String actionType,
    String repositoryName,
    String imageDigest,
    String imageTag,
    String manifestMediaType,
    String artifactMediaType,
    String malformedField) {

  /** The {@code source} of ECR events. */
  public static final String SOURCE = "aws.ecr";

  /** The {@code detail-type} of ECR push and delete events. */
  public static final String DETAIL_TYPE = "ECR Image Action";

  /**
   * Reads the event as the Lambda Java runtime deserializes it for a {@code ScheduledEvent}
   * handler (aws-lambda-java-serialization maps {@code detail-type} and keeps {@code detail} as a
   * map of JSON values).
   */
  public static EcrImageAction from(ScheduledEvent event) {
    Map<String, Object> detail = event.getDetail();
    Fields fields = new Fields(detail == null ? Map.of() : detail);
    return new EcrImageAction(
        blankToNull(event.getId()),
        blankToNull(event.getSource()),
        blankToNull(event.getDetailType()),
        blankToNull(event.getAccount()),
        blankToNull(event.getRegion()),
        detail != null,
        fields.get("result"),
        fields.get("action-type"),
        fields.get("repository-name"),
        fields.get("image-digest"),
        fields.get("image-tag"),
        fields.get("manifest-media-type"),
        fields.get("artifact-media-type"),
        fields.malformed);
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** Reads string fields from the detail map, remembering the first one that is not a string. */
  private static final class Fields {
    private final Map<String, Object> detail;
    private String malformed;

    Fields(Map<String, Object> detail) {
      this.detail = detail;
    }

    String get(String name) {
      Object value = detail.get(name);
      if (value == null) {
        return null;
      }
      if (!(value instanceof String)) {
        if (malformed == null) {
          malformed = name;
        }
        return null;
      }
      return blankToNull((String) value);
    }
  }
}
