package dev.socibuilder.filter;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.LambdaClientBuilder;

/** Builds the Lambda client the filter invokes the indexer with. */
final class LambdaClients {

  private LambdaClients() {}

  /**
   * A Lambda client on the JDK's URL connection (no Apache or Netty: smaller jar, faster cold start).
   *
   * @param region the region to call
   * @param credentials where credentials come from
   * @param endpoint an explicit endpoint, or {@code null} to let the SDK choose (it honours the
   *     standard {@code AWS_ENDPOINT_URL_LAMBDA} / {@code AWS_ENDPOINT_URL} variables)
   */
  static LambdaClient create(Region region, AwsCredentialsProvider credentials, URI endpoint) {
    LambdaClientBuilder builder = LambdaClient.builder()
        .region(region)
        .credentialsProvider(credentials)
        .httpClient(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(20))
            .build());
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }
}
