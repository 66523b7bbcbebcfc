package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
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
  void anIdentityTokenComesBeforeTheEntrysAuth() throws Exception {
    // What `docker login` stores for a registry whose login gave an OAuth refresh token.
    DockerConfigCredentials c = config("{\"auths\":{"
        + "\"registry.example.com\":{\"auth\":\"" + b64("00000000-0000-0000-0000-000000000000:") + "\","
        + "\"identitytoken\":\"refresh-me\"},"
        + "\"other.example.com\":{\"auth\":\"" + b64("dave:pw") + "\",\"identitytoken\":\"\"}}}");

    assertThat(c.credentialsFor("registry.example.com")).isEqualTo(Credentials.identityToken("refresh-me"));
    assertThat(c.credentialsFor("registry.example.com").isIdentityToken()).isTrue();
    assertThat(c.credentialsFor("other.example.com")).isEqualTo(new Credentials("dave", "pw"));
    assertThat(c.credentialsFor("other.example.com").isIdentityToken()).isFalse();
  }

  @Test
  void missingFileMeansAnonymous() {
    assertThat(new DockerConfigCredentials(dir.resolve("absent.json")).credentialsFor("x.example.com")).isNull();
  }

  @Test
  void entriesWithoutUsableCredentialsAreIgnored() throws Exception {
    DockerConfigCredentials c = config("{\"auths\":{\"a.example.com\":{},\"b.example.com\":{\"auth\":\"!!!\"}}}");

    assertThat(c.credentialsFor("a.example.com")).isNull();
    assertThat(c.credentialsFor("b.example.com")).isNull();
  }

  @Test
  void malformedFileIsReportedWithoutItsContent() {
    assertThatThrownBy(() -> config("{\"auths\":{\"a\":{\"password\":\"hunter2\"")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("config.json").hasMessageNotContaining("hunter2");
  }

  // ------------------------------------------------------------------ credential helpers

  /** Writes an executable {@code docker-credential-NAME} shell script into {@code bin}. */
  private Path helper(String name, String script) throws Exception {
    Path bin = dir.resolve("bin");
    Files.createDirectories(bin);
    Path p = bin.resolve("docker-credential-" + name);
    Files.writeString(p, "#!/bin/sh\n" + script);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  private DockerConfigCredentials withHelpers(String json) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, json);
    return new DockerConfigCredentials(file, List.of(dir.resolve("bin")), Duration.ofSeconds(10));
  }

  @Test
  void credHelpersAndCredsStoreAreAskedWithTheRegistryOnStandardInput() throws Exception {
    // The helper answers with the server it was asked about, so the test sees what it was given.
    helper("test", "read server\n"
        + "printf '{\"ServerURL\":\"%s\",\"Username\":\"u-%s\",\"Secret\":\" s3cret with spaces \"}' \"$server\" \"$server\"\n");
    helper("store", "read server\n"
        + "printf '{\"ServerURL\":\"%s\",\"Username\":\"store-user\",\"Secret\":\"store-pw\"}' \"$server\"\n");
    DockerConfigCredentials c = withHelpers("{\"credHelpers\":{\"registry.example.com:5000\":\"test\","
        + "\"docker.io\":\"test\"},\"credsStore\":\"store\","
        + "\"auths\":{\"registry.example.com:5000\":{\"auth\":\"" + b64("file:pw") + "\"}}}");

    assertThat(c.credentialsFor("registry.example.com:5000"))
        .isEqualTo(new Credentials("u-registry.example.com:5000", " s3cret with spaces "));
    assertThat(c.credentialsFor(ImageReference.DOCKER_HUB))
        .isEqualTo(new Credentials("u-https://index.docker.io/v1/", " s3cret with spaces "));
    assertThat(c.credentialsFor("other.example.com")).isEqualTo(new Credentials("store-user", "store-pw"));
  }

  @Test
  void aHelpersTokenUserMeansAnIdentityToken() throws Exception {
    helper("oidc", "read server\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"<token>\",\"Secret\":\"rt-1\"}' \"$server\"\n");
    DockerConfigCredentials c = withHelpers("{\"credsStore\":\"oidc\"}");

    Credentials got = c.credentialsFor("registry.example.com");
    assertThat(got).isEqualTo(Credentials.identityToken("rt-1"));
    assertThat(got.isIdentityToken()).isTrue();
    assertThat(got.toString()).doesNotContain("rt-1");
  }

  @Test
  void aHelperWithoutCredentialsFallsBackToAuths() throws Exception {
    helper("empty", "echo 'credentials not found in native keychain'\nexit 1\n");
    DockerConfigCredentials c = withHelpers("{\"credsStore\":\"empty\","
        + "\"auths\":{\"registry.example.com\":{\"auth\":\"" + b64("file:pw") + "\"}}}");

    assertThat(c.credentialsFor("registry.example.com")).isEqualTo(new Credentials("file", "pw"));
    assertThat(c.credentialsFor("unknown.example.com")).isNull();
  }

  @Test
  void aMissingHelperIsAClearError() throws Exception {
    DockerConfigCredentials c = withHelpers("{\"credsStore\":\"desktop\"}");

    assertThatThrownBy(() -> c.credentialsFor("registry.example.com"))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isFalse())
        .hasMessageContaining("get credentials for registry.example.com failed")
        .hasMessageContaining("credential helper docker-credential-desktop (credsStore in " + dir.resolve("config.json")
            + ") not found on the search path");
  }

  @Test
  void aFailingHelperIsAClearErrorWithoutTheSecret() throws Exception {
    helper("broken", "echo 'keychain locked'\nexit 3\n");
    helper("garbage", "echo '{\"Username\":\"bob\",\"Secret\":\"hunter2'\n");
    DockerConfigCredentials c = withHelpers("{\"credHelpers\":{\"a.example.com\":\"broken\","
        + "\"b.example.com\":\"garbage\",\"c.example.com\":\"../../bin/sh\"}}");

    assertThatThrownBy(() -> c.credentialsFor("a.example.com")).isInstanceOf(RegistryException.class)
        .hasMessageContaining("credential helper docker-credential-broken failed with exit code 3: keychain locked");
    assertThatThrownBy(() -> c.credentialsFor("b.example.com")).isInstanceOf(RegistryException.class)
        .hasMessageContaining("docker-credential-garbage answered malformed JSON").hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> c.credentialsFor("c.example.com")).isInstanceOf(RegistryException.class)
        .hasMessageContaining("is not a plain program name");
  }

  @Test
  void aHelperThatHangsIsStoppedAtItsTimeout() throws Exception {
    helper("slow", "exec sleep 600\n");
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"credsStore\":\"slow\"}");
    DockerConfigCredentials c = new DockerConfigCredentials(file, List.of(dir.resolve("bin")), Duration.ofMillis(300));

    assertThatThrownBy(() -> c.credentialsFor("registry.example.com")).isInstanceOf(RegistryException.class)
        .hasMessageContaining("credential helper docker-credential-slow did not answer within 300ms");
  }

  @Test
  void aHelperIsAskedOncePerRegistry() throws Exception {
    Path count = dir.resolve("count");
    helper("counting", "echo x >> '" + count + "'\n"
        + "echo '{\"Username\":\"bob\",\"Secret\":\"pw\"}'\n");
    DockerConfigCredentials c = withHelpers("{\"credsStore\":\"counting\"}");

    for (int i = 0; i < 3; i++) {
      assertThat(c.credentialsFor("registry.example.com")).isEqualTo(new Credentials("bob", "pw"));
    }
    assertThat(Files.readAllLines(count)).hasSize(1);
  }

  @Test
  void credentialsToStringMasksThePassword() {
    assertThat(new Credentials("bob", "hunter2").toString()).contains("bob").doesNotContain("hunter2");
  }
}
