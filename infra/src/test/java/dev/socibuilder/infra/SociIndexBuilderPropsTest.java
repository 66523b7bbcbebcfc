package dev.socibuilder.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.events.CronOptions;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.lambda.ApplicationLogLevel;
import software.amazon.awscdk.services.logs.RetentionDays;

class SociIndexBuilderPropsTest {

  @TempDir
  Path jars;

  private SociIndexBuilderProps.Builder builder() {
    return SociIndexBuilderProps.builder().artifacts(TestApps.placeholderArtifacts(jars));
  }

  @Test
  void defaultsAreTheReadyToDeployStacksDefaults() {
    SociIndexBuilderProps props = builder().build();

    assertThat(props.filters()).isEqualTo("*:*");
    assertThat(props.indexVersion()).isSameAs(IndexVersion.V2);
    assertThat(props.spanSizeBytes()).isEqualTo(4_194_304L);
    assertThat(props.minLayerSizeBytes()).isEqualTo(10_485_760L);
    assertThat(props.tagSuffix()).isEqualTo("-soci");
    assertThat(props.indexUntaggedPushes()).isEqualTo("false");
    assertThat(props.indexerMemoryMiB()).isEqualTo(3008);
    assertThat(props.indexerReservedConcurrency()).isEqualTo(0);
    assertThat(props.resultBus()).isNull();
    assertThat(props.alarmTopic()).isNull();
    assertThat(props.logRetention()).isEqualTo(RetentionDays.ONE_MONTH);
    assertThat(props.removalPolicy()).isEqualTo(RemovalPolicy.DESTROY);
    assertThat(props.permissionsBoundary()).isNull();
    assertThat(props.logLevel()).isEqualTo(ApplicationLogLevel.INFO);
    assertThat(props.backfillSchedule()).isEqualTo("rate(1 day)");
    assertThat(props.backfillInvokesPerMinute()).isEqualTo(20);
    assertThat(props.blobConnections()).isEqualTo(4);
    assertThat(props.ztocCache()).isTrue();
    assertThat(props.ztocCacheDays()).isEqualTo(90);
    assertThat(props.ztocCacheRemovalPolicy()).isEqualTo(RemovalPolicy.RETAIN);
    assertThat(props.sociOptimizations()).isEmpty();
    assertThat(props.ztocLimits()).isEmpty();
  }

  @Test
  void backfillScheduleMayBeGivenAsAScheduleOrNone() {
    assertThat(builder().backfillSchedule(Schedule.cron(CronOptions.builder().minute("0").hour("3").build()))
        .build().backfillSchedule()).isEqualTo("cron(0 3 * * ? *)");
    assertThat(builder().backfillSchedule(Schedule.rate(Duration.hours(12))).build().backfillSchedule())
        .isEqualTo("rate(12 hours)");
    assertThat(builder().backfillSchedule((Schedule) null).build().backfillSchedule()).isEqualTo("none");
  }

  @Test
  void filtersMayBeGivenAsAList() {
    assertThat(builder().filters(List.of("team/*:*", "!team/x:*")).build().filters()).isEqualTo("team/*:*,!team/x:*");
  }

  @Test
  void artifactsAreRequired() {
    assertThatThrownBy(() -> SociIndexBuilderProps.builder().build()).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("artifacts");
  }

  @ParameterizedTest
  @ValueSource(strings = {"span-decimal", "span-small", "span-large", "min-negative", "memory-small",
      "memory-large", "concurrency-negative", "suffix-empty", "suffix-space", "untagged-yes", "filters-bad",
      "schedule-bad", "schedule-plural", "pace-zero", "pace-decimal", "days-zero", "days-decimal",
      "removal-snapshot", "optimizations-bad", "limits-bad", "limits-spaces", "connections-zero",
      "connections-many", "connections-decimal"})
  void literalValuesOutOfRangeAreRejectedNamingTheProp(String which) {
    Map<String, UnaryOperator<SociIndexBuilderProps.Builder>> cases = Map.ofEntries(
        Map.entry("span-decimal", b -> b.spanSizeBytes(4_194_304.5)),
        Map.entry("span-small", b -> b.spanSizeBytes(1024)),
        Map.entry("span-large", b -> b.spanSizeBytes(2L << 30)),
        Map.entry("min-negative", b -> b.minLayerSizeBytes(-1)),
        Map.entry("memory-small", b -> b.indexerMemoryMiB(128)),
        Map.entry("memory-large", b -> b.indexerMemoryMiB(10_241)),
        Map.entry("concurrency-negative", b -> b.indexerReservedConcurrency(-1)),
        Map.entry("suffix-empty", b -> b.tagSuffix("")),
        Map.entry("suffix-space", b -> b.tagSuffix("-so ci")),
        Map.entry("untagged-yes", b -> b.indexUntaggedPushes("yes")),
        Map.entry("filters-bad", b -> b.filters("team/app")),
        Map.entry("schedule-bad", b -> b.backfillSchedule("daily")),
        Map.entry("schedule-plural", b -> b.backfillSchedule(Schedule.expression("rate(1 days)"))),
        Map.entry("pace-zero", b -> b.backfillInvokesPerMinute(0)),
        Map.entry("pace-decimal", b -> b.backfillInvokesPerMinute(2.5)),
        Map.entry("days-zero", b -> b.ztocCacheDays(0)),
        Map.entry("days-decimal", b -> b.ztocCacheDays(1.5)),
        Map.entry("removal-snapshot", b -> b.ztocCacheRemovalPolicy(RemovalPolicy.SNAPSHOT)),
        Map.entry("optimizations-bad", b -> b.sociOptimizations("xattrs")),
        Map.entry("limits-bad", b -> b.ztocLimits("files=10")),
        Map.entry("limits-spaces", b -> b.ztocLimits("toc-entries=1, ztoc-bytes=1MiB")),
        Map.entry("connections-zero", b -> b.blobConnections(0)),
        Map.entry("connections-many", b -> b.blobConnections(17)),
        Map.entry("connections-decimal", b -> b.blobConnections(2.5)));
    String prop = switch (which.substring(0, which.indexOf('-'))) {
      case "span" -> "spanSizeBytes";
      case "min" -> "minLayerSizeBytes";
      case "memory" -> "indexerMemoryMiB";
      case "concurrency" -> "indexerReservedConcurrency";
      case "suffix" -> "tagSuffix";
      case "untagged" -> "indexUntaggedPushes";
      case "schedule" -> "backfillSchedule";
      case "pace" -> "backfillInvokesPerMinute";
      case "days" -> "ztocCacheDays";
      case "removal" -> "ztocCacheRemovalPolicy";
      case "optimizations" -> "sociOptimizations";
      case "limits" -> "ztocLimits";
      case "connections" -> "blobConnections";
      default -> "filters";
    };

    assertThatThrownBy(() -> cases.get(which).apply(builder()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(prop);
  }

  @Test
  void deployTimeValuesAreLeftForCloudFormationToCheck() {
    SociIndexBuilderProps props = builder()
        .filters(Token.asString(Map.of("Ref", "F")))
        .spanSizeBytes(Token.asNumber(Map.of("Ref", "S")))
        .indexerMemoryMiB(Token.asNumber(Map.of("Ref", "M")))
        .tagSuffix(Token.asString(Map.of("Ref", "T")))
        .indexUntaggedPushes(Token.asString(Map.of("Ref", "U")))
        .backfillSchedule(Token.asString(Map.of("Ref", "B")))
        .backfillInvokesPerMinute(Token.asNumber(Map.of("Ref", "P")))
        .ztocCacheDays(Token.asNumber(Map.of("Ref", "D")))
        .sociOptimizations(Token.asString(Map.of("Ref", "O")))
        .ztocLimits(Token.asString(Map.of("Ref", "L")))
        .build();

    assertThat(Token.isUnresolved(props.filters())).isTrue();
    assertThat(Token.isUnresolved(props.spanSizeBytes())).isTrue();
    assertThat(Token.isUnresolved(props.backfillSchedule())).isTrue();
    assertThat(Token.isUnresolved(props.ztocLimits())).isTrue();
  }
}
