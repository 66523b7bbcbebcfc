package dev.socibuilder.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parse → toJson must give what Go's json.Unmarshal into ocispec.Manifest → json.Marshal gives. */
class ImageManifestTest {
  private static final String D1 = "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f";
  private static final String D2 = "sha256:3c3a4604a545cdc127456d94e421cd355bca5b528f4a9c1905b15da2eb4a4c6b";
  private static final String D3 = "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7";
  private static final String EMPTY = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

  private static String roundTrip(String json) {
    return new String(ImageManifest.parse(json.getBytes(StandardCharsets.UTF_8)).toJson(), StandardCharsets.UTF_8);
  }

  @Test
  void ociManifestWithArtifactTypeSubjectAndAnnotationsBecomesCompactGoOrder() {
    String in =
        """
        {
          "schemaVersion": 2,
          "mediaType": "application/vnd.oci.image.manifest.v1+json",
          "artifactType": "application/vnd.example+type",
          "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": "%s", "size": 2, "data": "e30="},
          "layers": [
            {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": 32654, "digest": "%s",
             "annotations": {"z": "1", "a": "2"}}
          ],
          "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "%s", "size": 7682,
                      "platform": {"os": "linux", "architecture": "amd64"}},
          "annotations": {"org.opencontainers.image.created": "2023-01-01T00:00:00Z", "com.example.key": "<v&>"},
          "foo": "bar"
        }
        """
            .formatted(EMPTY, D1, D2);
    String expected =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"artifactType\":\"application/vnd.example+type\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + EMPTY + "\",\"size\":2,\"data\":\"e30=\"},"
            + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + D1
            + "\",\"size\":32654,\"annotations\":{\"a\":\"2\",\"z\":\"1\"}}],"
            + "\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + D2
            + "\",\"size\":7682,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
            + "\"annotations\":{\"com.example.key\":\"\\u003cv\\u0026\\u003e\",\"org.opencontainers.image.created\":\"2023-01-01T00:00:00Z\"}}";
    assertThat(roundTrip(in)).isEqualTo(expected);
  }

  @Test
  void dockerSchema2ManifestKeepsItsMediaTypesButTakesOciFieldOrder() {
    String in =
        """
        {
           "schemaVersion": 2,
           "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
           "config": {
              "mediaType": "application/vnd.docker.container.image.v1+json",
              "size": 7023,
              "digest": "%s"
           },
           "layers": [
              {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654, "digest": "%s"},
              {"mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "size": 16724, "digest": "%s",
               "urls": ["https://example.com/blobs/x?a=1&b=2"]}
           ]
        }
        """
            .formatted(D3, D1, D2);
    String expected =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\"" + D3 + "\",\"size\":7023},"
            + "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"" + D1 + "\",\"size\":32654},"
            + "{\"mediaType\":\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\",\"digest\":\"" + D2
            + "\",\"size\":16724,\"urls\":[\"https://example.com/blobs/x?a=1\\u0026b=2\"]}]}";
    assertThat(roundTrip(in)).isEqualTo(expected);
  }

  @Test
  void missingLayersAreWrittenAsNullAndEmptyLayersAsEmptyArray() {
    assertThat(roundTrip("{\"schemaVersion\":2}"))
        .isEqualTo("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"\",\"digest\":\"\",\"size\":0},\"layers\":null}");
    assertThat(roundTrip("{\"schemaVersion\":2,\"layers\":[]}"))
        .isEqualTo("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"\",\"digest\":\"\",\"size\":0},\"layers\":[]}");
  }

  @Test
  void emptyOptionalFieldsAreOmitted() {
    String in = "{\"schemaVersion\":2,\"mediaType\":\"\",\"artifactType\":\"\",\"config\":{\"mediaType\":\"m\",\"digest\":\"d\",\"size\":1,"
        + "\"urls\":[],\"annotations\":{},\"data\":\"\",\"artifactType\":\"\"},\"layers\":[],\"annotations\":{}}";
    assertThat(roundTrip(in))
        .isEqualTo("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"m\",\"digest\":\"d\",\"size\":1},\"layers\":[]}");
  }

  @Test
  void keysMatchFieldsCaseInsensitivelyAsInGo() {
    String in = "{\"SchemaVersion\":2,\"MEDIATYPE\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"Config\":{\"mediatype\":\"x\",\"Digest\":\"sha256:aa\",\"\u017Fize\":3},\"layers\":null}";
    assertThat(roundTrip(in))
        .isEqualTo("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:aa\",\"size\":3},\"layers\":null}");
  }

  @Test
  void repeatedKeysMergeObjectsAndLastScalarWins() {
    String in = "{\"schemaVersion\":1,\"schemaVersion\":2,"
        + "\"config\":{\"mediaType\":\"a\",\"digest\":\"d\",\"size\":1},\"config\":{\"size\":5},"
        + "\"layers\":[{\"mediaType\":\"x\",\"digest\":\"y\",\"size\":1}],\"layers\":[],"
        + "\"annotations\":{\"x\":\"1\"},\"annotations\":{\"y\":\"2\",\"x\":\"3\"},"
        + "\"subject\":{\"digest\":\"s\"},\"subject\":null,"
        + "\"mediaType\":\"first\",\"mediatype\":\"second\"}";
    assertThat(roundTrip(in))
        .isEqualTo("{\"schemaVersion\":2,\"mediaType\":\"second\",\"config\":{\"mediaType\":\"a\",\"digest\":\"d\",\"size\":5},"
            + "\"layers\":[],\"annotations\":{\"x\":\"3\",\"y\":\"2\"}}");
  }

  @Test
  void repeatedArrayDecodesIntoTheElementsAlreadyThereAsGoDoes() {
    String in = "{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"x\",\"digest\":\"y\",\"size\":1,\"urls\":[\"u1\",\"u2\"]}],"
        + "\"layers\":[{\"size\":5,\"urls\":[null]},{\"digest\":\"z\"}]}";
    assertThat(roundTrip(in))
        .isEqualTo("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"\",\"digest\":\"\",\"size\":0},"
            + "\"layers\":[{\"mediaType\":\"x\",\"digest\":\"y\",\"size\":5,\"urls\":[\"u1\"]},"
            + "{\"mediaType\":\"\",\"digest\":\"z\",\"size\":0}]}");
  }

  @Test
  void nullLeavesScalarsAndStructsUnchanged() {
    String in = "{\"schemaVersion\":2,\"schemaVersion\":null,\"config\":{\"mediaType\":\"a\",\"digest\":\"d\",\"size\":1},"
        + "\"config\":null,\"layers\":[{\"mediaType\":null,\"digest\":\"y\",\"size\":1,\"annotations\":{\"k\":null}}]}";
    assertThat(roundTrip(in))
        .isEqualTo("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"d\",\"size\":1},"
            + "\"layers\":[{\"mediaType\":\"\",\"digest\":\"y\",\"size\":1,\"annotations\":{\"k\":\"\"}}]}");
  }

  @Test
  void stringsAreReEscapedTheGoWay() {
    String in = "{\"schemaVersion\":2,\"layers\":[],\"annotations\":{\"k\":\"a\\/b\\u2028\\u0007\\b<é>\\ud83d\\ude00\"}}";
    assertThat(roundTrip(in))
        .endsWith("\"annotations\":{\"k\":\"a/b\\u2028\\u0007\\b\\u003cé\\u003e\uD83D\uDE00\"}}");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"schemaVersion\":\"2\"}",
        "{\"schemaVersion\":2.0}",
        "{\"schemaVersion\":2e0}",
        "{\"config\":[]}",
        "{\"layers\":{}}",
        "{\"layers\":[{\"size\":9223372036854775808}]}",
        "{\"annotations\":{\"k\":1}}",
        "{\"subject\":\"x\"}",
        "{\"config\":{\"data\":\"not base64!\"}}",
        "{\"config\":{\"data\":\"e30\"}}",
        "[]",
        "\"x\"",
        "{\"layers\":[1]}",
      })
  void rejectsWrongJsonTypesAsGoDoes(String in) {
    assertThatThrownBy(() -> ImageManifest.parse(in.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(OciFormatException.class);
  }

  @Test
  void rejectsIndexesAndSchema1AsContainerdDoes() {
    assertThatThrownBy(() -> ImageManifest.parse("{\"schemaVersion\":2,\"manifests\":[]}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(OciFormatException.class).hasMessageContaining("expected manifest but found index");
    assertThatThrownBy(() -> ImageManifest.parse(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(OciFormatException.class);
    // containerd reads these keys as json.RawMessage, which stores even a null.
    assertThatThrownBy(() -> ImageManifest.parse("{\"schemaVersion\":2,\"manifests\":null}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(OciFormatException.class);
    assertThatThrownBy(() -> ImageManifest.parse("{\"schemaVersion\":1,\"fsLayers\":[{}]}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(OciFormatException.class).hasMessageContaining("schema 1");
  }

  @Test
  void rejectsInvalidJsonWithAnOciFormatException() {
    assertThatThrownBy(() -> ImageManifest.parse("{\"schemaVersion\":2,}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(OciFormatException.class).hasMessageContaining("offset");
  }

  @Test
  void dataAcceptsBase64WithLineBreaksAndByteArrays() {
    String in = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"m\",\"digest\":\"d\",\"size\":2,\"data\":\"e3\\r\\n0=\"},"
        + "\"layers\":[{\"mediaType\":\"m\",\"digest\":\"d\",\"size\":2,\"data\":[123,125]}]}";
    ImageManifest m = ImageManifest.parse(in.getBytes(StandardCharsets.UTF_8));
    assertThat(m.config().data()).containsExactly('{', '}');
    assertThat(m.layers().get(0).data()).containsExactly('{', '}');
    assertThat(new String(m.toJson(), StandardCharsets.UTF_8)).contains("\"data\":\"e30=\"");
  }

  @Test
  void withAnnotationAddsToExistingAnnotationsInSortedOrder() {
    ImageManifest m = ImageManifest.parse("{\"schemaVersion\":2,\"layers\":[],\"annotations\":{\"b\":\"1\"}}".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(m.withAnnotation("a", "2").toJson(), StandardCharsets.UTF_8))
        .endsWith("\"annotations\":{\"a\":\"2\",\"b\":\"1\"}}");
  }
}
