package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class EcrRegistryHostTest {
  @Test
  void parsesTheStandardEndpoint() {
    EcrRegistryHost h = EcrRegistryHost.parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com").orElseThrow();
    assertThat(h).isEqualTo(new EcrRegistryHost("123456789012", "eu-west-1", "amazonaws.com", false, false, -1));
    assertThat(h.host()).isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com");
    assertThat(h.standard()).isEqualTo(h);
  }

  @Test
  void parsesChinaFipsDualStackAndPortsCaseInsensitively() {
    assertThat(EcrRegistryHost.parse("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn").orElseThrow().dnsSuffix())
        .isEqualTo("amazonaws.com.cn");
    EcrRegistryHost fips = EcrRegistryHost.parse("123456789012.DKR.ECR-FIPS.us-gov-west-1.amazonaws.com").orElseThrow();
    assertThat(fips.fips()).isTrue();
    assertThat(fips.region()).isEqualTo("us-gov-west-1");
    assertThat(fips.host()).isEqualTo("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com");
    EcrRegistryHost dual = EcrRegistryHost.parse("123456789012.dkr-ecr.us-east-1.on.aws:443").orElseThrow();
    assertThat(dual.dualStack()).isTrue();
    assertThat(dual.port()).isEqualTo(443);
    assertThat(dual.host()).isEqualTo("123456789012.dkr-ecr.us-east-1.on.aws:443");
    assertThat(dual.standard().host()).isEqualTo("123456789012.dkr.ecr.us-east-1.amazonaws.com");
    assertThat(EcrRegistryHost.parse("123456789012.dkr-ecr-fips.us-east-1.on.aws").orElseThrow().fips()).isTrue();
  }

  @Test
  void rejectsWhatIsNotAnEcrPrivateRegistry() {
    for (String host : new String[] {
        "public.ecr.aws", "registry-1.docker.io", "127.0.0.1:5000", "12345678901.dkr.ecr.eu-west-1.amazonaws.com",
        "1234567890123.dkr.ecr.eu-west-1.amazonaws.com", "123456789012.dkr.ecr.eu-west-1", "123456789012.dkr.ecr..com",
        "123456789012.dkr.ecr.eu_west-1.amazonaws.com", "123456789012.dkr.ecr.eu-west-1.amazonaws.com:99999",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com:", "", "x".repeat(5000)}) {
      assertThat(EcrRegistryHost.parse(host)).as(host).isEqualTo(Optional.empty());
      assertThat(EcrRegistryHost.isEcr(host)).as(host).isFalse();
    }
    assertThat(EcrRegistryHost.parse(null)).isEmpty();
  }

  @Test
  void validatesItsParts() {
    assertThatThrownBy(() -> EcrRegistryHost.of("12", "eu-west-1", "amazonaws.com"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12 digits");
    assertThatThrownBy(() -> EcrRegistryHost.of("123456789012", "eu-west-1", "amazonaws..com"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DNS suffix");
    assertThat(EcrRegistryHost.of("123456789012", "us-west-2", "amazonaws.com").host())
        .isEqualTo("123456789012.dkr.ecr.us-west-2.amazonaws.com");
  }
}
