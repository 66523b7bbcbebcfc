package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {
  @Test
  void parsesBearerChallengeWithQuotedCommas() {
    AuthChallenge c = AuthChallenge.parse(
        "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:a/b:pull,push\"");

    assertThat(c.isBearer()).isTrue();
    assertThat(c.params()).isEqualTo(Map.of("realm", "https://auth.docker.io/token", "service", "registry.docker.io",
        "scope", "repository:a/b:pull,push"));
  }

  @Test
  void parsesBasicChallengeCaseInsensitively() {
    AuthChallenge c = AuthChallenge.parse("basic realm=\"Registry Realm\"");

    assertThat(c.isBasic()).isTrue();
    assertThat(c.params()).containsEntry("realm", "Registry Realm");
  }

  @Test
  void missingOrEmptyHeaderIsNoChallenge() {
    assertThat(AuthChallenge.parse(null)).isNull();
    assertThat(AuthChallenge.parse("  ")).isNull();
  }
}
