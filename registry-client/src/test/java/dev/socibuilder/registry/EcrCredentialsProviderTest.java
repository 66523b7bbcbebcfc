package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/** Against a fake ECR endpoint answering GetAuthorizationToken, through the real SDK client. */
class EcrCredentialsProviderTest {
  static final String ECR_HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  HttpServer fake;
  EcrClient ecr;
  final AtomicInteger calls = new AtomicInteger();
  final List<String> targets = Collections.synchronizedList(new ArrayList<>());
  final AtomicReference<String> password = new AtomicReference<>("first-token-password");
  final AtomicInteger status = new AtomicInteger(200);
  final java.util.concurrent.atomic.AtomicBoolean throttle = new java.util.concurrent.atomic.AtomicBoolean();

  @BeforeEach
  void startFakeEcr() throws Exception {
    fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    fake.createContext("/", ex -> {
      calls.incrementAndGet();
      targets.add(ex.getRequestHeaders().getFirst("X-Amz-Target"));
      ex.getRequestBody().readAllBytes();
      String token = Base64.getEncoder().encodeToString(("AWS:" + password.get()).getBytes(StandardCharsets.UTF_8));
      String body = status.get() == 200
          ? "{\"authorizationData\":[{\"authorizationToken\":\"" + token + "\",\"expiresAt\":"
              + NOW.plus(Duration.ofHours(12)).getEpochSecond() + ",\"proxyEndpoint\":\"https://" + ECR_HOST + "\"}]}"
          : status.get() == 400 && throttle.get()
              ? "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"
              : "{\"__type\":\"InvalidParameterException\",\"message\":\"bad request from test\"}";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
      ex.sendResponseHeaders(status.get(), bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    });
    fake.start();
    ecr = EcrClient.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + fake.getAddress().getPort()))
        .region(Region.EU_WEST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1)))
        .build();
  }

  @AfterEach
  void stop() {
    ecr.close();
    fake.stop(0);
  }

  static final class MutableClock extends Clock {
    Instant now = NOW;

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void decodesTheAuthorizationTokenIntoUserAndPassword() {
    Credentials c = new EcrCredentialsProvider(ecr, new MutableClock()).credentialsFor(ECR_HOST);

    assertThat(c).isEqualTo(new Credentials("AWS", "first-token-password"));
    assertThat(targets).containsExactly("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken");
  }

  @Test
  void tokenIsCachedUntilFiveMinutesBeforeItExpires() {
    MutableClock clock = new MutableClock();
    EcrCredentialsProvider provider = new EcrCredentialsProvider(ecr, clock);
    provider.credentialsFor(ECR_HOST);
    password.set("second-token-password");

    clock.now = NOW.plus(Duration.ofHours(11)).plus(Duration.ofMinutes(54));
    assertThat(provider.credentialsFor("999999999999.dkr.ecr.us-east-1.amazonaws.com").password())
        .isEqualTo("first-token-password");
    assertThat(calls).hasValue(1);

    clock.now = NOW.plus(Duration.ofHours(11)).plus(Duration.ofMinutes(55));
    assertThat(provider.credentialsFor(ECR_HOST).password()).isEqualTo("second-token-password");
    assertThat(calls).hasValue(2);
  }

  @Test
  void nonEcrRegistriesGetNoCredentialsAndNoCall() {
    EcrCredentialsProvider provider = new EcrCredentialsProvider(ecr, new MutableClock());

    assertThat(provider.credentialsFor("registry-1.docker.io")).isNull();
    assertThat(provider.credentialsFor("127.0.0.1:5000")).isNull();
    assertThat(calls).hasValue(0);
    assertThat(EcrRegistryHost.isEcr("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com")).isTrue();
    assertThat(EcrRegistryHost.isEcr("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")).isTrue();
    assertThat(EcrRegistryHost.isEcr("public.ecr.aws")).isFalse();
  }

  @Test
  void serviceErrorBecomesARegistryExceptionNamingTheRegistry() {
    status.set(400);
    EcrCredentialsProvider provider = new EcrCredentialsProvider(ecr, new MutableClock());

    assertThatThrownBy(() -> provider.credentialsFor(ECR_HOST))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isFalse())
        .hasMessageContaining("ECR authorization token").hasMessageContaining(ECR_HOST)
        .hasMessageContaining("bad request from test");
  }

  @Test
  void throttlingAndServerErrorsAreTransient() {
    EcrCredentialsProvider provider = new EcrCredentialsProvider(ecr, new MutableClock());
    status.set(400);
    throttle.set(true);
    assertThatThrownBy(() -> provider.credentialsFor(ECR_HOST))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).as("throttled").isTrue());
    throttle.set(false);
    status.set(503);
    assertThatThrownBy(() -> provider.credentialsFor(ECR_HOST))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).as("503").isTrue());
  }
}
