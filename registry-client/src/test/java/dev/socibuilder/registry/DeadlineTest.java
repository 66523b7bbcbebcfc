package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadlineTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void countsDownOnItsClockAndExpiresAtItsBudget() {
    Deadline d = Deadline.after(Duration.ofSeconds(90), now::get);

    assertThat(d.isSet()).isTrue();
    assertThat(d.remaining()).isEqualTo(Duration.ofSeconds(90));
    now.addAndGet(Duration.ofSeconds(60).toNanos());
    assertThat(d.remaining()).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.expired()).isFalse();
    assertThat(d.cap(Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.cap(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
    now.addAndGet(Duration.ofSeconds(30).toNanos());
    assertThat(d.expired()).isTrue();
    assertThat(d.remaining()).isZero();
    now.addAndGet(Duration.ofSeconds(30).toNanos());
    assertThat(d.remaining()).isZero();
  }

  @Test
  void checkThrowsOnlyOnceExpiredNamingWhatStoppedAndTheBudget() {
    Deadline d = Deadline.after(Duration.ofMinutes(15), now::get);
    d.check("index image r/app:v1");

    now.addAndGet(Duration.ofMinutes(15).toNanos());

    assertThatThrownBy(() -> d.check("index image r/app:v1"))
        .isInstanceOfSatisfying(DeadlineExceededException.class, e -> assertThat(e.isTransient()).isTrue())
        .hasMessage("index image r/app:v1: stopped, the deadline (15m) passed");
  }

  @Test
  void noneNeverExpires() {
    Deadline none = Deadline.none();

    none.check("anything");
    assertThat(none.isSet()).isFalse();
    assertThat(none.expired()).isFalse();
    assertThat(none.remaining()).isEqualTo(Deadline.UNBOUNDED);
    assertThat(none.cap(Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(60));
    assertThat(none).hasToString("no deadline");
  }

  @Test
  void formatsDurationsAsGoDoes() {
    assertThat(Deadline.format(Duration.ofMillis(300))).isEqualTo("300ms");
    assertThat(Deadline.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(Deadline.format(Duration.ofMinutes(15))).isEqualTo("15m");
    assertThat(Deadline.format(Duration.ofHours(1).plusSeconds(2))).isEqualTo("1h2s");
    assertThat(Deadline.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
  }

  @Test
  void rejectsANegativeBudget() {
    assertThatThrownBy(() -> Deadline.after(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
  }
}
