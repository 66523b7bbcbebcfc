package dev.socibuilder.filter.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweepConfigTest {
  static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("INDEXER_FUNCTION_NAME", "soci-indexer:live");
    env.put("EXPECTED_ACCOUNT_ID", "123456789012");
    env.put("AWS_REGION", "eu-west-1");
    return env;
  }

  @Test
  void defaultsAreV2AndAPaceTheDefaultIndexerKeepsUpWith() {
    SweepConfig c = SweepConfig.fromEnvironment(env());

    assertThat(c.v2()).isTrue();
    assertThat(c.invokesPerMinute()).isEqualTo(20);
    assertThat(c.invokesPerSweep()).isEqualTo(10_000);
    assertThat(c.runsPerSweep()).isEqualTo(96);
    assertThat(c.filter().filters().toString()).isEqualTo("*:*");
    assertThat(c.filter().tagSuffix()).isEqualTo("-soci");
  }

  @Test
  void readsEveryVariable() {
    Map<String, String> env = env();
    env.put("FILTERS", "team/*:*,!*:dev-*");
    env.put("SOCI_TAG_SUFFIX", "-lazy");
    env.put("SOCI_INDEX_VERSION", "V1");
    env.put("MAX_INVOKES_PER_MINUTE", "120");
    env.put("MAX_INVOKES_PER_SWEEP", "500");
    env.put("MAX_RUNS_PER_SWEEP", "4");

    SweepConfig c = SweepConfig.fromEnvironment(env);

    assertThat(c.v2()).isFalse();
    assertThat(c.invokesPerMinute()).isEqualTo(120);
    assertThat(c.invokesPerSweep()).isEqualTo(500);
    assertThat(c.runsPerSweep()).isEqualTo(4);
    assertThat(c.filter().filters().toString()).isEqualTo("team/*:*,!*:dev-*");
    assertThat(c.filter().tagSuffix()).isEqualTo("-lazy");
  }

  @Test
  void namesTheVariableThatIsWrong() {
    Map<String, String> env = env();
    env.put("MAX_INVOKES_PER_MINUTE", "fast");
    assertThatThrownBy(() -> SweepConfig.fromEnvironment(env)).isInstanceOf(SweepConfigException.class)
        .hasMessage("MAX_INVOKES_PER_MINUTE must be a number, got 'fast'");
    env.put("MAX_INVOKES_PER_MINUTE", "0");
    assertThatThrownBy(() -> SweepConfig.fromEnvironment(env)).hasMessageContaining("MAX_INVOKES_PER_MINUTE must be");
    env.remove("MAX_INVOKES_PER_MINUTE");
    env.put("SOCI_INDEX_VERSION", "V3");
    assertThatThrownBy(() -> SweepConfig.fromEnvironment(env)).hasMessageContaining("SOCI_INDEX_VERSION must be V2 or V1");
    env.remove("SOCI_INDEX_VERSION");
    env.put("FILTERS", "Team/*:*");
    assertThatThrownBy(() -> SweepConfig.fromEnvironment(env)).isInstanceOf(SweepConfigException.class)
        .hasMessageStartingWith("FILTERS: ");
    Map<String, String> noIndexer = env();
    noIndexer.remove("INDEXER_FUNCTION_NAME");
    assertThatThrownBy(() -> SweepConfig.fromEnvironment(noIndexer)).hasMessage("INDEXER_FUNCTION_NAME is not set");
  }
}
