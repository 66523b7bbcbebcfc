package dev.socibuilder.oci;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Platform specifiers, normalization and strict matching, as containerd's {@code
 * containerd/platforms} package (v1.0.0-rc) does them.
 *
 * <p>Normalization: OS lower-cased, {@code macos} → {@code darwin}; architecture lower-cased with
 * aliases {@code i386} → 386, {@code x86_64}/{@code x86-64} → amd64 (variant {@code v1} dropped),
 * {@code aarch64} → arm64 (variant {@code 8}/{@code v8} dropped), {@code armhf} → arm/v7, {@code
 * armel} → arm/v6, and {@code arm} with no variant or {@code 7} → v7, {@code 5}/{@code 6}/{@code 8}
 * → v5/v6/v8; OS features sorted and de-duplicated.
 */
public final class Platforms {
  private Platforms() {}

  private static final Pattern SPECIFIER = Pattern.compile("^[A-Za-z0-9_.-]+$");
  private static final Pattern OS_OPTIONS =
      Pattern.compile("^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?$");

  /**
   * The host default the way containerd's {@code DefaultSpec()} reports it: {@code linux} and the
   * JVM's architecture ({@code amd64}, or {@code arm64} with variant {@code v8}, not normalized).
   */
  public static Platform defaultSpec() {
    String arch = System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT);
    return switch (arch) {
      case "aarch64", "arm64" -> Platform.of("linux", "arm64", "v8");
      case "x86_64", "amd64" -> Platform.of("linux", "amd64");
      default -> {
        String[] n = normalizeArch(arch, "");
        yield Platform.of("linux", n[0], n[1]);
      }
    };
  }

  /**
   * containerd's {@code platforms.Parse}: {@code <os>[(<version>[+<feature>]*)]}, {@code <arch>} or
   * {@code <os>[(...)]/<arch>[/<variant>]}. A lone OS gets the host architecture, a lone
   * architecture the host OS (always {@code linux} here). Wildcards are refused.
   *
   * @throws IllegalArgumentException for an invalid specifier
   */
  public static Platform parse(String specifier) {
    if (specifier.contains("*")) {
      throw new IllegalArgumentException("\"" + specifier + "\": wildcards not yet supported");
    }
    String[] parts = specifier.split("/", 4);
    Matcher os = OS_OPTIONS.matcher(parts[0]);
    if (!os.matches()) {
      throw new IllegalArgumentException(
          "\"" + parts[0] + "\" is an invalid OS component of \"" + specifier + "\"");
    }
    for (int i = 1; i < parts.length; i++) {
      if (!SPECIFIER.matcher(parts[i]).matches()) {
        throw new IllegalArgumentException(
            "\"" + parts[i] + "\" is an invalid component of \"" + specifier + "\"");
      }
    }
    String osName = normalizeOs(os.group(1));
    String osVersion = decodeOption(os.group(2) == null ? "" : os.group(2), specifier);
    List<String> features = new ArrayList<>();
    if (os.group(3) != null && !os.group(3).isEmpty()) {
      for (String f : os.group(3).substring(1).split("\\+", -1)) {
        features.add(decodeOption(f, specifier));
      }
    }
    switch (parts.length) {
      case 1 -> {
        if (isKnownOs(osName)) {
          Platform host = defaultSpec();
          String variant = host.architecture().equals("arm") && !host.variant().equals("v7") ? host.variant() : "";
          return new Platform(host.architecture(), osName, osVersion, features, variant);
        }
        String[] a = normalizeArch(parts[0], "");
        if (a[0].equals("arm") && a[1].equals("v7")) {
          a[1] = "";
        }
        if (isKnownArch(a[0])) {
          return new Platform(a[0], "linux", osVersion, features, a[1]);
        }
        throw new IllegalArgumentException(
            "\"" + specifier + "\": unknown operating system or architecture");
      }
      case 2 -> {
        String[] a = normalizeArch(parts[1], "");
        if (a[0].equals("arm") && a[1].equals("v7")) {
          a[1] = "";
        }
        return new Platform(a[0], osName, osVersion, features, a[1]);
      }
      case 3 -> {
        String[] a = normalizeArch(parts[1], parts[2]);
        if (a[0].equals("arm64") && a[1].isEmpty()) {
          a[1] = "v8";
        }
        return new Platform(a[0], osName, osVersion, features, a[1]);
      }
      default -> throw new IllegalArgumentException(
          "\"" + specifier + "\": cannot parse platform specifier");
    }
  }

  /** containerd's {@code platforms.Normalize}. */
  public static Platform normalize(Platform p) {
    String[] a = normalizeArch(p.architecture(), p.variant());
    List<String> features = new ArrayList<>(new TreeSet<>(p.osFeatures()));
    return new Platform(a[0], normalizeOs(p.os()), p.osVersion(), features, a[1]);
  }

  /**
   * {@code normalize(fromConfig(config))}: containerd's {@code ConfigPlatform}, the platform {@code
   * soci convert} gives a single-manifest image.
   */
  public static Platform configPlatform(byte[] configJson) {
    return normalize(Platform.fromConfig(configJson));
  }

  /**
   * {@code platforms.OnlyStrict(wanted).Match(candidate)}: both normalized, then OS, architecture
   * and variant equal, the candidate's OS features a subset of the wanted ones, and for Windows a
   * compatible OS version. No sub-platform fallback (arm/v7 does not match arm/v6, amd64 not 386).
   */
  public static boolean matchesStrict(Platform wanted, Platform candidate) {
    Platform m = normalize(normalize(wanted));
    Platform c = normalize(candidate);
    if (!m.os().equals(c.os())
        || !m.architecture().equals(c.architecture())
        || !m.variant().equals(c.variant())) {
      return false;
    }
    if (m.os().equals("windows") && !windowsVersionMatches(m.osVersion(), candidate.osVersion())) {
      return false;
    }
    return m.osFeatures().containsAll(c.osFeatures());
  }

  /** containerd's {@code platforms.Format}: {@code os/arch[/variant]}, "unknown" without an OS. */
  public static String format(Platform p) {
    if (p.os().isEmpty()) {
      return "unknown";
    }
    StringBuilder sb = new StringBuilder(p.os());
    for (String part : new String[] {p.architecture(), p.variant()}) {
      if (!part.isEmpty()) {
        sb.append('/').append(part);
      }
    }
    return sb.toString();
  }

  static String normalizeOs(String os) {
    if (os.isEmpty()) {
      return "linux"; // containerd uses runtime.GOOS; this project only runs Linux images
    }
    String lower = os.toLowerCase(Locale.ROOT);
    return lower.equals("macos") ? "darwin" : lower;
  }

  static String[] normalizeArch(String arch, String variant) {
    String a = arch.toLowerCase(Locale.ROOT);
    String v = variant.toLowerCase(Locale.ROOT);
    switch (a) {
      case "i386" -> {
        a = "386";
        v = "";
      }
      case "x86_64", "x86-64", "amd64" -> {
        a = "amd64";
        if (v.equals("v1")) {
          v = "";
        }
      }
      case "aarch64", "arm64" -> {
        a = "arm64";
        if (v.equals("8") || v.equals("v8")) {
          v = "";
        }
      }
      case "armhf" -> {
        a = "arm";
        v = "v7";
      }
      case "armel" -> {
        a = "arm";
        v = "v6";
      }
      case "arm" -> {
        if (v.isEmpty() || v.equals("7")) {
          v = "v7";
        } else if (v.equals("5") || v.equals("6") || v.equals("8")) {
          v = "v" + v;
        }
      }
      default -> {}
    }
    return new String[] {a, v};
  }

  private static boolean isKnownOs(String os) {
    return switch (os) {
      case "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js",
          "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "windows", "zos" -> true;
      default -> false;
    };
  }

  private static boolean isKnownArch(String arch) {
    return switch (arch) {
      case "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "ppc64", "ppc64le",
          "loong64", "mips", "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc",
          "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm" -> true;
      default -> false;
    };
  }

  private static String decodeOption(String v, String specifier) {
    if (!v.contains("%")) {
      return v;
    }
    try {
      // url.PathUnescape: like URL decoding but '+' stays '+'.
      return URLDecoder.decode(v.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + specifier + "\" has an invalid OS option \"" + v + "\"", e);
    }
  }

  /** containerd's windowsVersionMatcher: major.minor must match; build per the LTSC compat rule. */
  private static boolean windowsVersionMatches(String hostVersion, String candidateVersion) {
    int[] host = windowsVersion(hostVersion);
    if ((host[0] == 0 && host[1] == 0 && host[2] == 0) || candidateVersion.isEmpty()) {
      return true;
    }
    int[] ctr = windowsVersion(candidateVersion);
    if (host[0] != ctr[0] || host[1] != ctr[1]) {
      return false;
    }
    final int ws2022 = 20348;
    if (host[2] < ws2022) {
      return host[2] == ctr[2];
    }
    return ctr[2] >= ws2022 && ctr[2] <= host[2];
  }

  private static int[] windowsVersion(String v) {
    String[] parts = v.split("\\.", -1);
    if (parts.length < 3) {
      return new int[3];
    }
    try {
      int major = Integer.parseInt(parts[0]);
      int minor = Integer.parseInt(parts[1]);
      int build = Integer.parseInt(parts[2]);
      if (major < 0 || major > 255 || minor < 0 || minor > 255 || build < 0 || build > 65535) {
        return new int[3];
      }
      return new int[] {major, minor, build};
    } catch (NumberFormatException e) {
      return new int[3];
    }
  }
}
