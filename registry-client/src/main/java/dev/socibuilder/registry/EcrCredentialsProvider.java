package dev.socibuilder.registry;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.GetAuthorizationTokenResponse;

/**
 * Credentials for Amazon ECR registries from {@code GetAuthorizationToken}: user {@code AWS} and a
 * 12-hour token. One token serves every ECR registry the caller's IAM principal may access, so it is
 * cached (until five minutes before it expires) and shared across hosts. Hosts that are not ECR
 * registry endpoints ({@link EcrRegistryHost}) get {@code null}, so this provider can be chained with others.
 */
public final class EcrCredentialsProvider implements CredentialsProvider {
  /** Refresh this long before the token's stated expiry, so an in-flight pull never uses a stale one. */
  static final Duration EXPIRY_MARGIN = Duration.ofMinutes(5);

  private final EcrClient ecr;
  private final Clock clock;
  private Credentials cached;
  private Instant refreshAt = Instant.MIN;

  /** Uses {@code ecr} (not closed by this provider) and the system clock. */
  public EcrCredentialsProvider(EcrClient ecr) {
    this(ecr, Clock.systemUTC());
  }

  /** Uses {@code ecr} (not closed by this provider) and {@code clock} for expiry. */
  public EcrCredentialsProvider(EcrClient ecr, Clock clock) {
    this.ecr = Objects.requireNonNull(ecr, "ecr");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Throttling, ECR server errors and failures to reach ECR pass with time; the SDK's own
   * {@code retryable()} says false for throttling once its retries are spent.
   */
  static boolean isTransient(SdkException e) {
    if (e instanceof SdkServiceException s) {
      return s.isThrottlingException() || s.statusCode() >= 500 || s.retryable();
    }
    return e instanceof SdkClientException || e.retryable();
  }

  @Override
  public synchronized Credentials credentialsFor(String registry) {
    if (!EcrRegistryHost.isEcr(registry)) {
      return null;
    }
    Instant now = clock.instant();
    if (cached != null && now.isBefore(refreshAt)) {
      return cached;
    }
    GetAuthorizationTokenResponse response;
    try {
      response = ecr.getAuthorizationToken(b -> {});
    } catch (SdkException e) {
      // SDK messages name the service error, never the credentials.
      throw new RegistryException("get ECR authorization token for", registry, null, null, 0, null,
          e.getMessage(), isTransient(e), e);
    }
    AuthorizationData data = response.authorizationData().isEmpty() ? null : response.authorizationData().get(0);
    if (data == null || data.authorizationToken() == null) {
      throw new RegistryException("get ECR authorization token for", registry, null, null, 0, null,
          "GetAuthorizationToken returned no authorization data", false, null);
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(data.authorizationToken()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new RegistryException("get ECR authorization token for", registry, null, null, 0, null,
          "authorization token is not base64", false, null);
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new RegistryException("get ECR authorization token for", registry, null, null, 0, null,
          "authorization token is not user:password", false, null);
    }
    cached = new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    Instant expires = data.expiresAt() != null ? data.expiresAt() : now.plus(Duration.ofHours(12));
    refreshAt = expires.minus(EXPIRY_MARGIN);
    return cached;
  }
}
