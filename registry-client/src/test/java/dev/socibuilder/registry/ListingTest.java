package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ListingTest {
  @Test
  void boundsMustBePositiveAndPagesReasonable() {
    assertThatThrownBy(() -> new Listing(0, 1, 1)).hasMessageContaining("page size must be 1..10000, got 0");
    assertThatThrownBy(() -> new Listing(10_001, 1, 1)).hasMessageContaining("page size");
    assertThatThrownBy(() -> new Listing(1, 0, 1)).hasMessageContaining("max pages");
    assertThatThrownBy(() -> new Listing(1, 1, 0)).hasMessageContaining("max entries");
  }

  @Test
  void withersChangeOneBound() {
    Listing l = Listing.defaults().withPageSize(7).withMaxEntries(9);

    assertThat(l).isEqualTo(new Listing(7, Listing.defaults().maxPages(), 9));
  }
}
