package dev.socibuilder.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformsTest {

  @ParameterizedTest(name = "{0} -> {1}/{2}/{3}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "linux/amd64|linux|amd64|",
        "linux/x86_64|linux|amd64|",
        "linux/x86-64|linux|amd64|",
        "linux/amd64/v1|linux|amd64|",
        "linux/amd64/v3|linux|amd64|v3",
        "linux/arm64|linux|arm64|",
        "linux/aarch64|linux|arm64|",
        "linux/arm64/v8|linux|arm64|v8",
        "linux/aarch64/8|linux|arm64|v8",
        "linux/arm|linux|arm|",
        "linux/arm/v7|linux|arm|v7",
        "linux/arm/7|linux|arm|v7",
        "linux/arm/6|linux|arm|v6",
        "linux/armhf|linux|arm|",
        "linux/armel|linux|arm|v6",
        "linux/i386|linux|386|",
        "Linux/AMD64|linux|amd64|",
        "macos/arm64|darwin|arm64|",
        "amd64|linux|amd64|",
        "aarch64|linux|arm64|",
        "linux/ppc64le|linux|ppc64le|",
      })
  void parsesSpecifiersLikeContainerd(String specifier, String os, String arch, String variant) {
    Platform p = Platforms.parse(specifier);
    assertThat(p.os()).isEqualTo(os);
    assertThat(p.architecture()).isEqualTo(arch);
    assertThat(p.variant()).isEqualTo(variant == null ? "" : variant);
  }

  @Test
  void parsesOsVersionAndFeatures() {
    Platform p = Platforms.parse("windows(10.0.17763+win32k+b%2Bc)/amd64");
    assertThat(p.os()).isEqualTo("windows");
    assertThat(p.osVersion()).isEqualTo("10.0.17763");
    assertThat(p.osFeatures()).containsExactly("win32k", "b+c");
  }

  @Test
  void loneOsTakesTheHostArchitecture() {
    Platform p = Platforms.parse("linux");
    assertThat(p.os()).isEqualTo("linux");
    assertThat(p.architecture()).isEqualTo(Platforms.normalize(Platforms.defaultSpec()).architecture());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "linux/*", "linux/amd64/v1/x", "notanarch", "linux/am d64", "lin ux/amd64", "/amd64"})
  void rejectsInvalidSpecifiers(String specifier) {
    assertThatThrownBy(() -> Platforms.parse(specifier)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void normalizesAliasesVariantsAndFeatures() {
    assertThat(Platforms.normalize(new Platform("x86_64", "Linux", "", List.of(), "v1")))
        .isEqualTo(Platform.of("linux", "amd64"));
    assertThat(Platforms.normalize(Platform.of("linux", "aarch64", "8"))).isEqualTo(Platform.of("linux", "arm64"));
    assertThat(Platforms.normalize(Platform.of("linux", "arm"))).isEqualTo(Platform.of("linux", "arm", "v7"));
    assertThat(Platforms.normalize(Platform.of("linux", "arm64", "v9"))).isEqualTo(Platform.of("linux", "arm64", "v9"));
    assertThat(Platforms.normalize(new Platform("amd64", "windows", "10.0", List.of("b", "a", "b"), "")).osFeatures())
        .containsExactly("a", "b");
  }

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "linux/amd64|linux/amd64|true",
        "linux/amd64|linux/x86_64|true",
        "linux/arm64|linux/arm64/v8|true",
        "linux/arm64/v8|linux/arm64|true",
        "linux/arm/v7|linux/arm|true",
        "linux/arm/v7|linux/arm/v6|false",
        "linux/arm/v6|linux/arm/v7|false",
        "linux/amd64|linux/386|false",
        "linux/amd64|windows/amd64|false",
        "linux/amd64|linux/amd64/v3|false",
        "linux/arm64|linux/arm64/v9|false",
      })
  void strictMatchHasNoSubPlatformFallback(String wanted, String candidate, boolean matches) {
    assertThat(Platforms.matchesStrict(Platforms.parse(wanted), Platforms.parse(candidate))).isEqualTo(matches);
  }

  @Test
  void strictMatchRequiresCandidateFeaturesToBeASubset() {
    Platform wanted = new Platform("amd64", "linux", "", List.of("a", "b"), "");
    assertThat(Platforms.matchesStrict(wanted, new Platform("amd64", "linux", "", List.of("b"), ""))).isTrue();
    assertThat(Platforms.matchesStrict(wanted, new Platform("amd64", "linux", "", List.of("c"), ""))).isFalse();
    assertThat(Platforms.matchesStrict(Platform.of("linux", "amd64"), new Platform("amd64", "linux", "", List.of("a"), "")))
        .isFalse();
  }

  @Test
  void strictMatchChecksWindowsBuildCompatibility() {
    Platform host2019 = new Platform("amd64", "windows", "10.0.17763.1", List.of(), "");
    assertThat(Platforms.matchesStrict(host2019, new Platform("amd64", "windows", "10.0.17763.5000", List.of(), ""))).isTrue();
    assertThat(Platforms.matchesStrict(host2019, new Platform("amd64", "windows", "10.0.20348.1", List.of(), ""))).isFalse();
    assertThat(Platforms.matchesStrict(host2019, new Platform("amd64", "windows", "", List.of(), ""))).isTrue();
    Platform host2025 = new Platform("amd64", "windows", "10.0.26100.1", List.of(), "");
    assertThat(Platforms.matchesStrict(host2025, new Platform("amd64", "windows", "10.0.20348.1", List.of(), ""))).isTrue();
    assertThat(Platforms.matchesStrict(host2025, new Platform("amd64", "windows", "10.0.17763.1", List.of(), ""))).isFalse();
  }

  @Test
  void configPlatformReadsTheImageConfigAndNormalizes() {
    String config = "{\"architecture\":\"arm64\",\"variant\":\"v8\",\"os\":\"linux\",\"os.version\":\"\","
        + "\"config\":{\"Env\":[\"PATH=/bin\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
    byte[] bytes = config.getBytes(StandardCharsets.UTF_8);
    assertThat(Platform.fromConfig(bytes)).isEqualTo(Platform.of("linux", "arm64", "v8"));
    assertThat(Platforms.configPlatform(bytes)).isEqualTo(Platform.of("linux", "arm64"));
  }

  @Test
  void configPlatformKeepsWindowsVersionAndFeatures() {
    String config = "{\"architecture\":\"amd64\",\"os\":\"windows\",\"os.version\":\"10.0.17763.2114\",\"os.features\":[\"win32k\"]}";
    assertThat(Platform.fromConfig(config.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new Platform("amd64", "windows", "10.0.17763.2114", List.of("win32k"), ""));
  }

  @Test
  void platformJsonFollowsGoFieldOrder() {
    Platform p = new Platform("arm", "linux", "1.0", List.of("f"), "v7");
    assertThat(new String(p.toJson(), StandardCharsets.UTF_8))
        .isEqualTo("{\"architecture\":\"arm\",\"os\":\"linux\",\"os.version\":\"1.0\",\"os.features\":[\"f\"],\"variant\":\"v7\"}");
    assertThat(new String(Platform.of("linux", "amd64").toJson(), StandardCharsets.UTF_8))
        .isEqualTo("{\"architecture\":\"amd64\",\"os\":\"linux\"}");
  }

  @Test
  void formatsLikeContainerd() {
    assertThat(Platforms.format(Platform.of("linux", "arm", "v7"))).isEqualTo("linux/arm/v7");
    assertThat(Platforms.format(Platform.of("linux", "amd64"))).isEqualTo("linux/amd64");
    assertThat(Platforms.format(Platform.of("", "amd64"))).isEqualTo("unknown");
  }
}
