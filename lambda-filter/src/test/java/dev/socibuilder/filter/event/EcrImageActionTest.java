package dev.socibuilder.filter.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.socibuilder.filter.SampleEvents;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EcrImageActionTest {

  private static JsonNode raw(String file) throws IOException {
    try (InputStream in = EcrImageActionTest.class.getClassLoader().getResourceAsStream("events/" + file)) {
      return new ObjectMapper().readTree(in);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null ? null : value.asText();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "push-image-manifest-tagged.json", "push-docker-manifest-tagged.json", "push-image-index-tagged.json",
      "push-digest-only.json", "push-failed.json", "delete-image.json", "push-soci-index-artifact.json",
      "push-soci-index-v1-artifact.json", "push-soci-tag.json", "push-other-account-region.json",
      "push-uppercase-tag.json", "push-china-region.json", "malformed-missing-digest.json"})
  void readsEveryFieldOfSampleEventAsLambdaRuntimeDeserializesIt(String file) throws IOException {
    JsonNode json = raw(file);
    JsonNode detail = json.get("detail");

    EcrImageAction action = EcrImageAction.from(SampleEvents.event(file));

    assertThat(action.id()).isEqualTo(text(json, "id"));
    assertThat(action.source()).isEqualTo("aws.ecr");
    assertThat(action.detailType()).isEqualTo("ECR Image Action");
    assertThat(action.account()).isEqualTo(text(json, "account"));
    assertThat(action.region()).isEqualTo(text(json, "region"));
    assertThat(action.hasDetail()).isTrue();
    assertThat(action.result()).isEqualTo(text(detail, "result"));
    assertThat(action.actionType()).isEqualTo(text(detail, "action-type"));
    assertThat(action.repositoryName()).isEqualTo(text(detail, "repository-name"));
    assertThat(action.imageDigest()).isEqualTo(text(detail, "image-digest"));
    assertThat(action.imageTag()).isEqualTo(text(detail, "image-tag"));
    assertThat(action.manifestMediaType()).isEqualTo(text(detail, "manifest-media-type"));
    assertThat(action.artifactMediaType()).isEqualTo(text(detail, "artifact-media-type"));
    assertThat(action.malformedField()).isNull();
  }

  @Test
  void treatsEmptyTagAsUntagged() {
    Map<String, Object> event = SampleEvents.event("push-image-manifest-tagged.json");
    SampleEvents.detail(event).put("image-tag", "");

    assertThat(EcrImageAction.from(event).imageTag()).isNull();
  }

  @Test
  void recordsFirstNonStringDetailField() {
    Map<String, Object> event = SampleEvents.event("push-image-manifest-tagged.json");
    SampleEvents.detail(event).put("repository-name", 42);

    EcrImageAction action = EcrImageAction.from(event);

    assertThat(action.malformedField()).isEqualTo("detail.repository-name");
    assertThat(action.repositoryName()).isNull();
  }

  @Test
  void handlesMissingDetail() {
    Map<String, Object> event = SampleEvents.event("push-image-manifest-tagged.json");
    event.remove("detail");

    EcrImageAction action = EcrImageAction.from(event);

    assertThat(action.hasDetail()).isFalse();
    assertThat(action.repositoryName()).isNull();
  }

  @Test
  void recordsEnvelopeFieldOfWrongTypeAndDetailThatIsNotAnObject() {
    Map<String, Object> event = SampleEvents.event("push-image-manifest-tagged.json");
    event.put("account", 123456789012L);
    event.put("detail", "PUSH");

    EcrImageAction action = EcrImageAction.from(event);

    assertThat(action.malformedField()).isEqualTo("detail");
    assertThat(action.account()).isNull();
    assertThat(action.hasDetail()).isFalse();
  }

  @Test
  void readsAnEmptyPayloadAsAnEventWithNothing() {
    EcrImageAction action = EcrImageAction.from(null);

    assertThat(action.source()).isNull();
    assertThat(action.hasDetail()).isFalse();
    assertThat(action.malformedField()).isNull();
  }
}
