package dev.socibuilder.infra;

import java.util.Objects;
import software.amazon.awscdk.Token;

/**
 * The SOCI index manifest version the indexer builds ({@code SOCI_INDEX_VERSION}): {@link #V2} (a SOCI-enabled
 * image index tagged {@code <tag><suffix>}, what {@code soci convert} does) or {@link #V1} (an index manifest whose
 * {@code subject} is the image). {@link #of} also takes a deploy-time value, e.g. a CloudFormation parameter.
 */
public final class IndexVersion {

  /** A SOCI-enabled image index tagged {@code <tag><suffix>} (the default). */
  public static final IndexVersion V2 = new IndexVersion("V2");
  /** A SOCI index manifest with {@code subject}, found through the referrers API. */
  public static final IndexVersion V1 = new IndexVersion("V1");

  private final String value;

  private IndexVersion(String value) {
    this.value = value;
  }

  /**
   * @param value {@code V2}, {@code V1}, or an unresolved token (checked at deploy time)
   * @throws IllegalArgumentException for any other literal
   */
  public static IndexVersion of(String value) {
    Objects.requireNonNull(value, "value");
    if (Token.isUnresolved(value)) {
      return new IndexVersion(value);
    }
    return switch (value) {
      case "V2" -> V2;
      case "V1" -> V1;
      default -> throw new IllegalArgumentException("index version must be V2 or V1, got '" + value + "'");
    };
  }

  /** The environment value, {@code V2} or {@code V1} (or its token). */
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
