package dev.socibuilder.registry;

import java.time.Duration;
import java.util.Optional;

/**
 * A registry operation failed. The message names the action, the registry, the repository, the
 * digest or reference, the HTTP status and the registry's own error code and message; it never
 * contains credentials or tokens, and what the registry sent is shown through {@link RegistryText}
 * (one line, no control characters, anything like a credential redacted). {@link #isTransient()} tells whether retrying later may succeed
 * (5xx, 429, timeouts, dropped connections) or not (other 4xx, authentication, bad content).
 */
public class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String action;
  private final String registry;
  private final String repository;
  private final String reference;
  private final int status;
  private final String errorCode;
  private final String detail;
  private final boolean transientFailure;
  private final transient Duration retryAfter;

  /**
   * @param action what was being done, e.g. "pull manifest"
   * @param reference digest or tag, may be null
   * @param status the HTTP status, 0 when there was no response
   * @param errorCode the registry's error code (e.g. {@code MANIFEST_UNKNOWN}), may be null
   * @param detail the rest of the explanation (registry message, I/O error), may be null
   */
  public RegistryException(
      String action,
      String registry,
      String repository,
      String reference,
      int status,
      String errorCode,
      String detail,
      boolean transientFailure,
      Throwable cause) {
    this(action, registry, repository, reference, status, errorCode, detail, transientFailure, null, cause);
  }

  RegistryException(
      String action,
      String registry,
      String repository,
      String reference,
      int status,
      String errorCode,
      String detail,
      boolean transientFailure,
      Duration retryAfter,
      Throwable cause) {
    super(format(action, registry, repository, reference, status, RegistryText.sanitize(errorCode),
        RegistryText.sanitize(detail)), cause);
    this.retryAfter = retryAfter;
    this.action = action;
    this.registry = registry;
    this.repository = repository;
    this.reference = reference;
    this.status = status;
    this.errorCode = RegistryText.sanitize(errorCode);
    this.detail = RegistryText.sanitize(detail);
    this.transientFailure = transientFailure;
  }

  /** This failure with {@code note} appended to its explanation (e.g. why retrying stopped). */
  RegistryException withNote(String note) {
    String d = detail == null || detail.isEmpty() ? note : detail + "; " + note;
    return new RegistryException(action, registry, repository, reference, status, errorCode, d, transientFailure,
        retryAfter, this);
  }

  /** {@code "pull manifest host/repo:tag"}: what an operation was, for messages. */
  static String subject(String action, String registry, String repository, String reference) {
    StringBuilder sb = new StringBuilder(action).append(' ').append(registry);
    if (repository != null) {
      sb.append('/').append(repository);
    }
    if (reference != null) {
      sb.append(reference.contains(":") ? "@" : ":").append(reference);
    }
    return sb.toString();
  }

  private static String format(
      String action, String registry, String repository, String reference, int status, String errorCode,
      String detail) {
    StringBuilder sb = new StringBuilder(subject(action, registry, repository, reference));
    sb.append(" failed");
    if (status > 0) {
      sb.append(": HTTP ").append(status);
    }
    if (errorCode != null) {
      sb.append(status > 0 ? " " : ": ").append(errorCode);
    }
    if (detail != null && !detail.isEmpty()) {
      sb.append(status > 0 || errorCode != null ? " - " : ": ").append(detail);
    }
    return sb.toString();
  }

  public String action() {
    return action;
  }

  public String registry() {
    return registry;
  }

  /** The repository, or null for registry-wide actions (authentication). */
  public String repository() {
    return repository;
  }

  /** The digest or tag, or null. */
  public String reference() {
    return reference;
  }

  /** The HTTP status, or 0 when no response was received. */
  public int status() {
    return status;
  }

  /** The registry's error code ({@code errors[0].code}), or null. */
  public String errorCode() {
    return errorCode;
  }

  /** The registry's {@code Retry-After} (on 429 or 503), if it sent one. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** True when retrying later may succeed. */
  public boolean isTransient() {
    return transientFailure;
  }
}
