package dev.socibuilder.filter.event;

import java.util.Map;

/**
 * The fields of an EventBridge {@code ECR Image Action} event that the filter looks at, as received:
 * nothing is validated here, so that a malformed event can still be logged with whatever it has.
 * Absent and empty strings are both {@code null}, and a field of the wrong JSON type is recorded
 * in {@link #malformedField()}.
 *
 * <p>The envelope holds {@code id}, {@code source}, {@code detail-type}, {@code account} and {@code region}
 * (and {@code version}, {@code time}, {@code resources}, which the filter does not need).
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
 * @param malformedField the first field (of the envelope, or {@code detail.} and a detail field) that is present
 *     but not a string, or {@code detail} when that is not an object; {@code null} when all are well-formed
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
   * Reads the event as the Lambda Java runtime deserializes a JSON object for a {@code Map} handler
   * input: nested objects as maps, strings as strings.
   *
   * @param event the event, or {@code null} (an empty invoke payload)
   */
  public static EcrImageAction from(Map<String, Object> event) {
    Fields envelope = new Fields(event == null ? Map.of() : event, "");
    Object rawDetail = envelope.raw("detail");
    Map<?, ?> detailMap = rawDetail instanceof Map<?, ?> m ? m : null;
    if (rawDetail != null && detailMap == null) {
      envelope.malformed("detail");
    }
    Fields detail = new Fields(detailMap == null ? Map.of() : detailMap, "detail.");
    String id = envelope.get("id");
    String source = envelope.get("source");
    String detailType = envelope.get("detail-type");
    String account = envelope.get("account");
    String region = envelope.get("region");
    return new EcrImageAction(
        id,
        source,
        detailType,
        account,
        region,
        detailMap != null,
        detail.get("result"),
        detail.get("action-type"),
        detail.get("repository-name"),
        detail.get("image-digest"),
        detail.get("image-tag"),
        detail.get("manifest-media-type"),
        detail.get("artifact-media-type"),
        envelope.malformed != null ? envelope.malformed : detail.malformed);
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** Reads string fields from a JSON object, remembering the first one that is not a string. */
  private static final class Fields {
    private final Map<?, ?> object;
    private final String prefix;
    private String malformed;

    Fields(Map<?, ?> object, String prefix) {
      this.object = object;
      this.prefix = prefix;
    }

    Object raw(String name) {
      return object.get(name);
    }

    void malformed(String name) {
      if (malformed == null) {
        malformed = prefix + name;
      }
    }

    String get(String name) {
      Object value = object.get(name);
      if (value == null) {
        return null;
      }
      if (!(value instanceof String s)) {
        malformed(name);
        return null;
      }
      return blankToNull(s);
    }
  }
}
