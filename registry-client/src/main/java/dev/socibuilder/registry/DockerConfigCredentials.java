package dev.socibuilder.registry;

import dev.socibuilder.json.JsonException;
import dev.socibuilder.json.JsonParser;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.json.JsonValue.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
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
    JsonValue root;
    try {
      // Read as a string first so that a file that is not UTF-8 is an unreadable file.
      root = JsonParser.parse(Files.readString(file, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read docker config " + file, e);
    } catch (JsonException e) {
      // Only the offset, never the parser's message: that may quote file content (which has secrets).
      throw new IllegalArgumentException(
          "malformed docker config " + file + ": malformed JSON at byte offset " + e.offset());
    }
    if (!(root instanceof JsonObject top && top.get("auths") instanceof JsonObject auths)) {
      return result;
    }
    // A key given twice counts once, with its last value (as Docker's own decoder reads it).
    for (String key : new LinkedHashSet<>(auths.names())) {
      Credentials c = entry(auths.get(key));
      if (c != null) {
        result.put(normalize(key), c);
      }
    }
    return result;
  }

  private static Credentials entry(JsonValue v) {
    String auth = HeaderValues.stringMember(v, "auth");
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
    String user = HeaderValues.stringMember(v, "username");
    String pass = HeaderValues.stringMember(v, "password");
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
