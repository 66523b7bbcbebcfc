package dev.socibuilder.filter.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {

  @ParameterizedTest(name = "''{0}'' matches ''{1}'': {2}")
  @CsvSource(delimiter = '|', textBlock = """
      *          | ''                  | true
      *          | team/web-app        | true
      ?          | ''                  | false
      ?          | a                   | true
      ?          | ab                  | false
      team/*     | team/web-app        | true
      team/*     | team                | false
      team/*     | team/               | true
      team/*     | other/team/x        | false
      */*        | a/b/c               | true
      *app       | team/web-app        | true
      *app       | team/web-app2       | false
      v1.?.*     | v1.4.2              | true
      v1.?.*     | v1.42               | false
      v1.?.*     | v1.4.               | true
      a*b*c      | abc                 | true
      a*b*c      | aXXbYYc             | true
      a*b*c      | aXXbYYcZ            | false
      a*b*c      | acb                 | false
      **         | x                   | true
      *?         | ''                  | false
      *?         | x                   | true
      Release-*  | release-1           | false
      Release-*  | Release-1           | true
      latest     | latest              | true
      latest     | Latest              | false
      latest     | latest1             | false
      ''         | ''                  | true
      ''         | x                   | false
      """)
  void matchesWholeStringWithStarAndQuestionMark(String pattern, String text, boolean expected) {
    assertThat(new Glob(pattern).matches(text)).isEqualTo(expected);
  }
}
