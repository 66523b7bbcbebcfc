package dev.socibuilder.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilterConfigTest {

  private static Map<String, String> minimal() {
    Map<String, String> env = new HashMap<>();
    env.put("INDEXER_FUNCTION_NAME", "soci-indexer");
    env.put("EXPECTED_ACCOUNT_ID", "123456789012");
    env.put("AWS_REGION", "eu-west-1");
    return env;
  }

  @Test
  void appliesDefaults() {
    FilterConfig config = FilterConfig.fromEnvironment(minimal());

    assertThat(config.filters().toString()).isEqualTo("*:*");
    assertThat(config.tagSuffix()).isEqualTo("-soci");
    assertThat(config.indexUntagged()).isFalse();
    assertThat(config.indexerFunctionName()).isEqualTo("soci-indexer");
    assertThat(config.expectedAccountId()).isEqualTo("123456789012");
    assertThat(config.region()).isEqualTo("eu-west-1");
  }

  @Test
  void readsEveryVariable() {
    Map<String, String> env = minimal();
    env.put("FILTERS", "team/*:*,!*:dev-*");
    env.put("SOCI_TAG_SUFFIX", "-lazy");
    env.put("INDEX_UNTAGGED", "TRUE");

    FilterConfig config = FilterConfig.fromEnvironment(env);

    assertThat(config.filters().rules()).hasSize(2);
    assertThat(config.tagSuffix()).isEqualTo("-lazy");
    assertThat(config.indexUntagged()).isTrue();
  }

  @ParameterizedTest(name = "{0}={1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      INDEXER_FUNCTION_NAME | ''            | INDEXER_FUNCTION_NAME is not set
      EXPECTED_ACCOUNT_ID   | 12345         | EXPECTED_ACCOUNT_ID must be a 12-digit account id
      AWS_REGION            | Frankfurt     | AWS_REGION must be a region name
      INDEX_UNTAGGED        | yes           | INDEX_UNTAGGED must be true or false
      FILTERS               | Team:*        | FILTERS: filter 'Team:*'
      """)
  void rejectsInvalidVariableNamingIt(String name, String value, String message) {
    Map<String, String> env = minimal();
    env.put(name, value);

    assertThatThrownBy(() -> FilterConfig.fromEnvironment(env))
        .isInstanceOf(FilterConfigException.class)
        .hasMessageContaining(message);
  }

  @Test
  void rejectsMissingAccount() {
    Map<String, String> env = minimal();
    env.remove("EXPECTED_ACCOUNT_ID");

    assertThatThrownBy(() -> FilterConfig.fromEnvironment(env)).hasMessageContaining("EXPECTED_ACCOUNT_ID");
  }
}
