package dev.socibuilder.filter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IndexRequestTest {

  @ParameterizedTest
  @CsvSource({
      "us-east-1, 111122223333.dkr.ecr.us-east-1.amazonaws.com",
      "eu-central-1, 111122223333.dkr.ecr.eu-central-1.amazonaws.com",
      "cn-north-1, 111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn",
      "cn-northwest-1, 111122223333.dkr.ecr.cn-northwest-1.amazonaws.com.cn",
      "us-gov-west-1, 111122223333.dkr.ecr.us-gov-west-1.amazonaws.com",
  })
  void namesPrivateRegistryHostOfAccountAndRegion(String region, String host) {
    assertThat(IndexRequest.ecrRegistryHost("111122223333", region)).isEqualTo(host);
  }

  @Test
  void serializesAsTheIndexersPayloadWithNullForNoTag() {
    IndexRequest request = new IndexRequest("r.example", "team/app", "sha256:ab", null, "application/x");

    assertThat(request.toJson()).isEqualTo("{\"registry\":\"r.example\",\"repository\":\"team/app\","
        + "\"digest\":\"sha256:ab\",\"tag\":null,\"mediaType\":\"application/x\"}");
  }
}
