package dev.socibuilder.registry;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The host of an Amazon ECR private registry, in any of its endpoint forms:
 * <ul>
 *   <li>{@code <account>.dkr.ecr.<region>.amazonaws.com} (and {@code .amazonaws.com.cn} in China, or an
 *       ISO partition's suffix),
 *   <li>FIPS: {@code <account>.dkr.ecr-fips.<region>.amazonaws.com},
 *   <li>dual-stack: {@code <account>.dkr-ecr.<region>.on.aws} (and {@code dkr-ecr-fips}),
 * </ul>
 * each optionally with a {@code :port}. Parsed by splitting on dots (no regular expression, so no input
 * can make it recurse or backtrack).
 *
 * @param account the 12-digit account id
 * @param region e.g. {@code eu-west-1}
 * @param dnsSuffix what follows the region, e.g. {@code amazonaws.com} or {@code on.aws}
 * @param fips whether this is a FIPS endpoint
 * @param dualStack whether this is a dual-stack ({@code dkr-ecr}) endpoint
 * @param port the port, or -1 for the default
 */
public record EcrRegistryHost(
    String account, String region, String dnsSuffix, boolean fips, boolean dualStack, int port) {

  /** A host name is at most 253 characters (RFC 1035); anything longer is not a host. */
  private static final int MAX_HOST_LENGTH = 253;

  public EcrRegistryHost {
    if (account == null || account.length() != 12 || !allDigits(account)) {
      throw new IllegalArgumentException("ECR account must be 12 digits: " + account);
    }
    if (region == null || !isLabel(region)) {
      throw new IllegalArgumentException("invalid ECR region: " + region);
    }
    Objects.requireNonNull(dnsSuffix, "dnsSuffix");
    if (dnsSuffix.isEmpty()) {
      throw new IllegalArgumentException("ECR DNS suffix must not be empty");
    }
    for (String label : dnsSuffix.split("\\.", -1)) {
      if (!isLabel(label)) {
        throw new IllegalArgumentException("invalid ECR DNS suffix: " + dnsSuffix);
      }
    }
    if (port < -1 || port == 0 || port > 65535) {
      throw new IllegalArgumentException("invalid port: " + port);
    }
  }

  /** The standard endpoint {@code <account>.dkr.ecr.<region>.<dnsSuffix>}. */
  public static EcrRegistryHost of(String account, String region, String dnsSuffix) {
    return new EcrRegistryHost(account, region, dnsSuffix, false, false, -1);
  }

  /**
   * Parses a registry host ({@code host[:port]}, case-insensitive).
   *
   * @return empty if {@code host} is not an ECR private registry endpoint
   */
  public static Optional<EcrRegistryHost> parse(String host) {
    if (host == null || host.isEmpty() || host.length() > MAX_HOST_LENGTH + 6) {
      return Optional.empty();
    }
    String h = host.toLowerCase(Locale.ROOT);
    int port = -1;
    int colon = h.lastIndexOf(':');
    if (colon >= 0) {
      String p = h.substring(colon + 1);
      if (p.isEmpty() || p.length() > 5 || !allDigits(p)) {
        return Optional.empty();
      }
      port = Integer.parseInt(p);
      h = h.substring(0, colon);
    }
    String[] labels = h.split("\\.", -1);
    // account . dkr . ecr[-fips] . region . suffix...   or   account . dkr-ecr[-fips] . region . suffix...
    int i = 1;
    boolean dualStack;
    boolean fips;
    if (labels.length >= 5 && labels[1].equals("dkr") && (labels[2].equals("ecr") || labels[2].equals("ecr-fips"))) {
      dualStack = false;
      fips = labels[2].equals("ecr-fips");
      i = 3;
    } else if (labels.length >= 4 && (labels[1].equals("dkr-ecr") || labels[1].equals("dkr-ecr-fips"))) {
      dualStack = true;
      fips = labels[1].equals("dkr-ecr-fips");
      i = 2;
    } else {
      return Optional.empty();
    }
    String suffix = String.join(".", java.util.Arrays.copyOfRange(labels, i + 1, labels.length));
    try {
      return Optional.of(new EcrRegistryHost(labels[0], labels[i], suffix, fips, dualStack, port));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** True if {@code host} is an ECR private registry endpoint. */
  public static boolean isEcr(String host) {
    return parse(host).isPresent();
  }

  /** The same registry's standard endpoint (no FIPS, no dual-stack, default port). */
  public EcrRegistryHost standard() {
    return of(account, region, dualStack ? standardSuffix(dnsSuffix) : dnsSuffix);
  }

  /** The host as written on the wire, {@code <account>.dkr.ecr.<region>.<suffix>[:port]} (or its FIPS/dual-stack form). */
  public String host() {
    String service = dualStack ? (fips ? "dkr-ecr-fips" : "dkr-ecr") : (fips ? "dkr.ecr-fips" : "dkr.ecr");
    return account + "." + service + "." + region + "." + dnsSuffix + (port >= 0 ? ":" + port : "");
  }

  @Override
  public String toString() {
    return host();
  }

  /** Dual-stack endpoints live under {@code on.aws} (China: {@code on.amazonwebservices.com.cn}). */
  private static String standardSuffix(String dualStackSuffix) {
    if (dualStackSuffix.equals("on.aws")) {
      return "amazonaws.com";
    }
    if (dualStackSuffix.equals("on.amazonwebservices.com.cn")) {
      return "amazonaws.com.cn";
    }
    return dualStackSuffix;
  }

  private static boolean allDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return !s.isEmpty();
  }

  /** A DNS label: 1-63 of [a-z0-9-], not starting or ending with '-'. */
  private static boolean isLabel(String s) {
    if (s.isEmpty() || s.length() > 63 || s.startsWith("-") || s.endsWith("-")) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }
}
