package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {
  @TempDir
  Path dir;

  private DockerConfigCredentials config(String json) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, json);
    return new DockerConfigCredentials(file);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsBase64AuthAndUsernamePasswordEntries() throws Exception {
    DockerConfigCredentials c = config("{\"auths\":{"
        + "\"registry.example.com:5000\":{\"auth\":\"" + b64("bob:pa:ss") + "\"},"
        + "\"https://other.example.com/v2/\":{\"username\":\"carol\",\"password\":\"pw\"},"
        + "\"https://index.docker.io/v1/\":{\"auth\":\"" + b64("hubuser:hubpass") + "\"}}}");

    assertThat(c.credentialsFor("registry.example.com:5000")).isEqualTo(new Credentials("bob", "pa:ss"));
    assertThat(c.credentialsFor("other.example.com")).isEqualTo(new Credentials("carol", "pw"));
    assertThat(c.credentialsFor(ImageReference.DOCKER_HUB)).isEqualTo(new Credentials("hubuser", "hubpass"));
    assertThat(c.credentialsFor("unknown.example.com")).isNull();
  }

  @Test
  void missingFileMeansAnonymous() {
    assertThat(new DockerConfigCredentials(dir.resolve("absent.json")).credentialsFor("x.example.com")).isNull();
  }

  @Test
  void entriesWithoutUsableCredentialsAreIgnored() throws Exception {
    DockerConfigCredentials c = config("{\"auths\":{\"a.example.com\":{},\"b.example.com\":{\"auth\":\"!!!\"}},"
        + "\"credsStore\":\"desktop\"}");

    assertThat(c.credentialsFor("a.example.com")).isNull();
    assertThat(c.credentialsFor("b.example.com")).isNull();
  }

  @Test
  void malformedFileIsReportedWithoutItsContent() {
    assertThatThrownBy(() -> config("{\"auths\":{\"a\":{\"password\":\"hunter2\"")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("config.json").hasMessageNotContaining("hunter2");
  }

  @Test
  void credentialsToStringMasksThePassword() {
    assertThat(new Credentials("bob", "hunter2").toString()).contains("bob").doesNotContain("hunter2");
  }
}
