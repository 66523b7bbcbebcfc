package dev.socibuilder.filter.sweep;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.EcrClientBuilder;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.LambdaClientBuilder;

/**
 * The sweep's ECR and Lambda clients: the JDK's URL connection (small jar, fast cold start), and no SDK
 * retries, because {@link SweepService} retries throttling and server errors itself, within the run's
 * remaining time.
 */
final class SweepClients {
  private SweepClients() {}

  private static ClientOverrideConfiguration noRetries() {
    return ClientOverrideConfiguration.builder().retryStrategy(AwsRetryStrategy.doNotRetry()).build();
  }

  private static UrlConnectionHttpClient.Builder http() {
    return UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(30));
  }

  /**
   * @param endpoint an explicit endpoint, or null to let the SDK choose (it honours
   *     {@code AWS_ENDPOINT_URL_ECR} / {@code AWS_ENDPOINT_URL})
   */
  static EcrClient ecr(Region region, AwsCredentialsProvider credentials, URI endpoint) {
    EcrClientBuilder b = EcrClient.builder().region(region).credentialsProvider(credentials)
        .httpClientBuilder(http()).overrideConfiguration(noRetries());
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }

  /** As {@link #ecr}, for Lambda ({@code AWS_ENDPOINT_URL_LAMBDA}). */
  static LambdaClient lambda(Region region, AwsCredentialsProvider credentials, URI endpoint) {
    LambdaClientBuilder b = LambdaClient.builder().region(region).credentialsProvider(credentials)
        .httpClientBuilder(http()).overrideConfiguration(noRetries());
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }
}
