package dev.socibuilder.testing.filters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.testing.filters.FilterCases.FilterCase;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterCasesTest {

  @Test
  void readsEveryRowWithAnEmptyTagAsAPushByDigest() {
    List<FilterCase> cases = FilterCases.all();

    assertThat(cases).hasSizeGreaterThan(30);
    assertThat(cases.get(0)).isEqualTo(new FilterCase("*:*", "team/app", "v1", true, true));
    assertThat(cases.get(1).untagged()).isTrue();
    assertThat(cases).anySatisfy(c -> assertThat(c.granted() && !c.selected()).isTrue());
    assertThat(cases).anySatisfy(c -> assertThat(c.granted()).isFalse());
  }

  @Test
  void listsEachFilterListOnceInFileOrder() {
    List<String> lists = FilterCases.filterLists();

    assertThat(lists).doesNotHaveDuplicates().startsWith("*:*", "*:*,!*:dev-*");
    assertThat(lists).hasSizeLessThan(FilterCases.all().size());
  }

  @Test
  void aSelectedImageThatIsNotGrantedIsAMistakeInTheTable() {
    assertThatThrownBy(() -> new FilterCase("a:*", "a", "v1", true, false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
