package dev.socibuilder.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageIndexTest {
  private static final String D1 = "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f";
  private static final String D2 = "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270";
  private static final String D3 = "sha256:3c3a4604a545cdc127456d94e421cd355bca5b528f4a9c1905b15da2eb4a4c6b";

  private static String roundTrip(String json) {
    return new String(ImageIndex.parse(json.getBytes(StandardCharsets.UTF_8)).toJson(), StandardCharsets.UTF_8);
  }

  @Test
  void dockerManifestListDropsFieldsOcispecDoesNotHave() {
    String in =
        """
        {
          "schemaVersion": 2,
          "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
          "manifests": [
            {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 7143, "digest": "%s",
             "platform": {"architecture": "ppc64le", "os": "linux"}},
            {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 7682, "digest": "%s",
             "platform": {"architecture": "amd64", "os": "linux", "features": ["sse4"]}},
            {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 1, "digest": "%s",
             "platform": {"architecture": "amd64", "os": "windows", "os.version": "10.0.17763.1",
                          "os.features": ["win32k"], "variant": ""}}
          ]
        }
        """
            .formatted(D1, D2, D3);
    String m = "application/vnd.docker.distribution.manifest.v2+json";
    String expected =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\",\"manifests\":["
            + "{\"mediaType\":\"" + m + "\",\"digest\":\"" + D1 + "\",\"size\":7143,\"platform\":{\"architecture\":\"ppc64le\",\"os\":\"linux\"}},"
            + "{\"mediaType\":\"" + m + "\",\"digest\":\"" + D2 + "\",\"size\":7682,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
            + "{\"mediaType\":\"" + m + "\",\"digest\":\"" + D3 + "\",\"size\":1,\"platform\":{\"architecture\":\"amd64\",\"os\":\"windows\","
            + "\"os.version\":\"10.0.17763.1\",\"os.features\":[\"win32k\"]}}]}";
    assertThat(roundTrip(in)).isEqualTo(expected);
  }

  @Test
  void ociIndexKeepsArtifactTypeSubjectAnnotationsAndDescriptorArtifactType() {
    String in = "{\"annotations\":{\"b\":\"2\",\"a\":\"1\"},\"subject\":{\"size\":3,\"digest\":\"" + D1 + "\",\"mediaType\":\"x\"},"
        + "\"manifests\":[{\"artifactType\":\"t\",\"digest\":\"" + D2 + "\",\"mediaType\":\"m\",\"size\":9,\"annotations\":{\"k\":\"v\"}}],"
        + "\"artifactType\":\"application/x\",\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"schemaVersion\":2}";
    assertThat(roundTrip(in))
        .isEqualTo("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"artifactType\":\"application/x\","
            + "\"manifests\":[{\"mediaType\":\"m\",\"digest\":\"" + D2 + "\",\"size\":9,\"annotations\":{\"k\":\"v\"},\"artifactType\":\"t\"}],"
            + "\"subject\":{\"mediaType\":\"x\",\"digest\":\"" + D1 + "\",\"size\":3},\"annotations\":{\"a\":\"1\",\"b\":\"2\"}}");
  }

  @Test
  void missingManifestsAreWrittenAsNull() {
    assertThat(roundTrip("{\"schemaVersion\":2}")).isEqualTo("{\"schemaVersion\":2,\"manifests\":null}");
  }

  @Test
  void newIndexHasOciMediaType() {
    assertThat(new String(ImageIndex.of(List.of()).toJson(), StandardCharsets.UTF_8))
        .isEqualTo("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}");
  }

  @Test
  void rejectsManifestsAsContainerdDoes() {
    assertThatThrownBy(() -> ImageIndex.parse("{\"schemaVersion\":2,\"layers\":[]}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(OciFormatException.class).hasMessageContaining("expected index but found manifest");
    assertThatThrownBy(() -> ImageIndex.parse("{\"manifests\":{}}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(OciFormatException.class);
  }
}
