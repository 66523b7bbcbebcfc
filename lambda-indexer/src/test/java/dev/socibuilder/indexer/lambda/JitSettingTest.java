package dev.socibuilder.indexer.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class JitSettingTest {

  @Test
  void c2OnlyWithAllTiersOrWithoutTiers() {
    assertThat(new JitSetting(true, 4).c2()).isTrue();
    assertThat(new JitSetting(false, 1).c2()).as("-TieredCompilation: C2 alone").isTrue();
    assertThat(new JitSetting(true, 1).c2()).isFalse();
    assertThat(new JitSetting(true, 3).c2()).isFalse();
    assertThat(new JitSetting(true, 0).c2()).isFalse();
  }

  @Test
  void describesWhatCompiles() {
    assertThat(new JitSetting(true, 4).describe()).isEqualTo("C2");
    assertThat(new JitSetting(true, 1).describe()).isEqualTo("C1 only (TieredStopAtLevel=1)");
    assertThat(new JitSetting(true, 0).describe()).isEqualTo("interpreter only");
  }

  @Test
  void readsThisJvmsOptions() {
    // What this JVM was started with decides the expectation (HotSpot's defaults: tiers on, level 4).
    List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
    int level = 4;
    boolean tiered = true;
    for (String arg : args) {
      if (arg.startsWith("-XX:TieredStopAtLevel=")) {
        level = Integer.parseInt(arg.substring("-XX:TieredStopAtLevel=".length()));
      } else if (arg.equals("-XX:-TieredCompilation")) {
        tiered = false;
      }
    }

    assertThat(JitSetting.current()).isEqualTo(new JitSetting(tiered, level));
  }
}
