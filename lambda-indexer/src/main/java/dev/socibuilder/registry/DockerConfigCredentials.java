package dev.socibuilder.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Credentials from a Docker {@code config.json} ({@code "auths"} entries with either {@code "auth"},
 * the base64 of {@code user:password}, or {@code "username"}/{@code "password"}). Keys may be bare
 * hosts or URLs ({@code https://index.docker.io/v1/}); Docker Hub's aliases all match
 * {@link ImageReference#DOCKER_HUB}. Credential helpers ({@code credsStore}, {@code credHelpers})
 * and identity tokens are not supported. The file is read once, in the constructor; a missing file
 * means no credentials.
 */
public final class DockerConfigCredentials implements CredentialsProvider {
  private final Map<String, Credentials> byRegistry;

  /** Reads {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
  public DockerConfigCredentials() {
    this(defaultPath());
  }

  /** Reads the given {@code config.json}. @throws UncheckedIOException if it exists but cannot be read */
  public DockerConfigCredentials(Path configJson) {
    this.byRegistry = load(configJson);
  }

  /** The default config file location, as the Docker CLI resolves it. */
  public static Path defaultPath() {
    String dir = System.getenv("DOCKER_CONFIG");
    return dir != null && !dir.isEmpty()
        ? Path.of(dir, "config.json")
        : Path.of(System.getProperty("user.home"), ".docker", "config.json");
  }

  @Override
  public Credentials credentialsFor(String registry) {
    return byRegistry.get(normalize(registry));
  }

  private static Map<String, Credentials> load(Path file) {
    Map<String, Credentials> result = new HashMap<>();
    if (!Files.isRegularFile(file)) {
      return result;
    }
    Object root;
    try {
      root = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read docker config " + file, e);
    } catch (IllegalArgumentException e) {
      // The message holds only an offset, never file content (which has secrets).
      throw new IllegalArgumentException("malformed docker config " + file + ": " + e.getMessage(), e);
    }
    if (!(Json.get(root, "auths") instanceof Map<?, ?> auths)) {
      return result;
    }
    for (Map.Entry<?, ?> e : auths.entrySet()) {
      Credentials c = entry(e.getValue());
      if (c != null) {
        result.put(normalize(String.valueOf(e.getKey())), c);
      }
    }
    return result;
  }

  private static Credentials entry(Object v) {
    String auth = Json.string(v, "auth");
    if (auth != null && !auth.isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
      int colon = decoded.indexOf(':');
      return colon < 0 ? null : new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    }
    String user = Json.string(v, "username");
    String pass = Json.string(v, "password");
    return user != null && pass != null ? new Credentials(user, pass) : null;
  }

  /** A config key or registry name reduced to {@code host[:port]}, Docker Hub aliases unified. */
  static String normalize(String key) {
    String k = key.trim();
    int scheme = k.indexOf("://");
    if (scheme >= 0) {
      k = k.substring(scheme + 3);
    }
    int slash = k.indexOf('/');
    if (slash >= 0) {
      k = k.substring(0, slash);
    }
    k = k.toLowerCase(java.util.Locale.ROOT);
    if (k.equals("docker.io") || k.equals("index.docker.io")) {
      return ImageReference.DOCKER_HUB;
    }
    return k;
  }
}
