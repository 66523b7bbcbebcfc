package dev.socibuilder.registry;

import dev.socibuilder.json.JsonException;
import dev.socibuilder.json.JsonParser;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.json.JsonValue.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Credentials from a Docker {@code config.json}, resolved as the Docker CLI does: a registry listed in
 * {@code "credHelpers"} asks that credential helper; otherwise a {@code "credsStore"} asks that one;
 * otherwise (or when the helper has no credentials for the registry) the {@code "auths"} entry is used,
 * with either {@code "auth"} (the base64 of {@code user:password}) or {@code "username"}/{@code "password"}.
 * Keys may be bare hosts or URLs ({@code https://index.docker.io/v1/}); Docker Hub's aliases all match
 * {@link ImageReference#DOCKER_HUB}. An identity token (an entry's {@code "identitytoken"}, which comes
 * before its {@code "auth"}, or a helper's {@code <token>} user) is {@link Credentials#identityToken}.
 *
 * <p>A credential helper {@code NAME} is the program {@code docker-credential-NAME}, found on the search
 * path (default {@code $PATH}), run as {@code docker-credential-NAME get} with the registry (for Docker
 * Hub {@code https://index.docker.io/v1/}) on its standard input; it answers
 * {@code {"ServerURL":..,"Username":..,"Secret":..}}, or fails with {@code credentials not found in
 * native keychain}. Its output is bounded ({@link #MAX_HELPER_OUTPUT}), it must finish within the
 * helper timeout, and a helper that is missing, fails or times out is a {@link RegistryException}
 * naming the helper; the secret never appears in any message. Each registry's answer is asked once and
 * cached.
 *
 * <p>The file is read once, in the constructor; a missing file means no credentials.
 */
public final class DockerConfigCredentials implements CredentialsProvider {
  /** The most output read from a credential helper. */
  static final int MAX_HELPER_OUTPUT = 64 * 1024;
  /** The default time a credential helper may take. */
  public static final Duration DEFAULT_HELPER_TIMEOUT = Duration.ofSeconds(30);

  private static final String NOT_FOUND = "credentials not found in native keychain";
  private static final String HUB_SERVER = "https://index.docker.io/v1/";
  private static final Pattern HELPER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final Path file;
  private final Map<String, Credentials> byRegistry;
  private final Map<String, String> helpers;
  private final String credsStore;
  private final List<Path> searchPath;
  private final Duration helperTimeout;
  private final Map<String, Optional<Credentials>> fromHelpers = new ConcurrentHashMap<>();

  /** Reads {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}; helpers are found on $PATH. */
  public DockerConfigCredentials() {
    this(defaultPath());
  }

  /** Reads the given {@code config.json}; helpers are found on $PATH. @throws UncheckedIOException if it exists but cannot be read */
  public DockerConfigCredentials(Path configJson) {
    this(configJson, pathDirectories(), DEFAULT_HELPER_TIMEOUT);
  }

  /**
   * Reads the given {@code config.json}; credential helpers are looked up in {@code helperSearchPath} only.
   *
   * @param helperSearchPath the directories in which {@code docker-credential-NAME} is looked up, in order
   * @param helperTimeout how long a helper may take to answer
   * @throws UncheckedIOException if the file exists but cannot be read
   * @throws IllegalArgumentException if it is malformed (the message has no content of the file)
   */
  public DockerConfigCredentials(Path configJson, List<Path> helperSearchPath, Duration helperTimeout) {
    this.file = configJson;
    this.searchPath = List.copyOf(helperSearchPath);
    this.helperTimeout = Objects.requireNonNull(helperTimeout, "helperTimeout");
    JsonObject root = load(configJson);
    this.byRegistry = auths(root);
    this.helpers = credHelpers(root);
    String store = root == null ? null : HeaderValues.stringMember(root, "credsStore");
    this.credsStore = store == null || store.isBlank() ? null : store.strip();
  }

  /** The default config file location, as the Docker CLI resolves it. */
  public static Path defaultPath() {
    String dir = System.getenv("DOCKER_CONFIG");
    return dir != null && !dir.isEmpty()
        ? Path.of(dir, "config.json")
        : Path.of(System.getProperty("user.home"), ".docker", "config.json");
  }

  /** The directories of {@code $PATH}. */
  public static List<Path> pathDirectories() {
    String path = System.getenv("PATH");
    List<Path> dirs = new ArrayList<>();
    if (path != null) {
      for (String d : path.split(Pattern.quote(File.pathSeparator))) {
        if (!d.isEmpty()) {
          dirs.add(Path.of(d));
        }
      }
    }
    return dirs;
  }

  @Override
  public Credentials credentialsFor(String registry) {
    String key = normalize(registry);
    String helper = helpers.get(key);
    String source = "credHelpers";
    if (helper == null) {
      helper = credsStore;
      source = "credsStore";
    }
    if (helper != null) {
      String name = helper;
      String from = source;
      Credentials c = fromHelpers.computeIfAbsent(key, k -> Optional.ofNullable(runHelper(name, from, registry, k)))
          .orElse(null);
      if (c != null) {
        return c;
      }
    }
    return byRegistry.get(key);
  }

  /** Asks helper {@code name} for the credentials of {@code registry}; null if it has none. */
  private Credentials runHelper(String name, String source, String registry, String key) {
    String helper = "docker-credential-" + name;
    String where = " (" + source + " in " + file + ")";
    if (!HELPER_NAME.matcher(name).matches()) {
      throw helperFailure(registry, "credential helper name '" + name + "'" + where + " is not a plain program name");
    }
    Path program = searchPath.stream().map(d -> d.resolve(helper))
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst().orElse(null);
    if (program == null) {
      throw helperFailure(registry, "credential helper " + helper + where + " not found on the search path");
    }
    String server = key.equals(ImageReference.DOCKER_HUB) ? HUB_SERVER : key;
    Process p;
    try {
      p = new ProcessBuilder(program.toString(), "get").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw helperFailure(registry, "cannot run credential helper " + helper + where + ": " + e.getMessage());
    }
    try {
      // Read while the helper runs: a helper blocked on a full pipe would never finish.
      CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readBounded(p.getInputStream()));
      try (OutputStream in = p.getOutputStream()) {
        in.write((server + "\n").getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // A helper that exits without reading its input: its answer says what went wrong.
      }
      if (!p.waitFor(helperTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw helperFailure(registry, "credential helper " + helper + " did not answer within "
            + Deadline.format(helperTimeout));
      }
      byte[] output = out.get(helperTimeout.toMillis(), TimeUnit.MILLISECONDS);
      String text = new String(output, StandardCharsets.UTF_8).strip();
      if (p.exitValue() != 0) {
        if (text.contains(NOT_FOUND)) {
          return null;
        }
        // On failure a helper prints its error on standard output; it holds no secret then.
        String firstLine = text.lines().findFirst().orElse("");
        throw helperFailure(registry, "credential helper " + helper + " failed with exit code " + p.exitValue()
            + (firstLine.isEmpty() ? "" : ": " + RegistryText.sanitize(firstLine)));
      }
      return parseHelperAnswer(registry, helper, output);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw helperFailure(registry, "interrupted while running credential helper " + helper);
    } catch (ExecutionException | TimeoutException e) {
      throw helperFailure(registry, "cannot read the answer of credential helper " + helper);
    } finally {
      p.destroyForcibly();
    }
  }

  private Credentials parseHelperAnswer(String registry, String helper, byte[] output) {
    if (output.length > MAX_HELPER_OUTPUT) {
      throw helperFailure(registry, "credential helper " + helper + " answered more than " + MAX_HELPER_OUTPUT
          + " bytes");
    }
    JsonValue json;
    try {
      json = JsonParser.parse(output);
    } catch (JsonException e) {
      // Never the parser's message: it may quote the secret.
      throw helperFailure(registry, "credential helper " + helper + " answered malformed JSON");
    }
    String user = HeaderValues.stringMember(json, "Username");
    String secret = HeaderValues.stringMember(json, "Secret");
    if (user == null || secret == null) {
      throw helperFailure(registry, "credential helper " + helper + " answered without Username and Secret");
    }
    if (secret.isEmpty()) {
      return null;
    }
    return new Credentials(user, secret); // the user <token> marks an identity token
  }

  /** At most {@link #MAX_HELPER_OUTPUT} + 1 bytes; the rest is drained so the helper can exit. */
  private static byte[] readBounded(InputStream in) {
    try (in) {
      byte[] b = in.readNBytes(MAX_HELPER_OUTPUT + 1);
      in.transferTo(OutputStream.nullOutputStream());
      return b;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static RegistryException helperFailure(String registry, String detail) {
    return new RegistryException("get credentials for", registry, null, null, 0, null, detail, false, null);
  }

  private static JsonObject load(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
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
    return root instanceof JsonObject o ? o : null;
  }

  private static Map<String, Credentials> auths(JsonObject root) {
    Map<String, Credentials> result = new HashMap<>();
    if (root == null || !(root.get("auths") instanceof JsonObject auths)) {
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

  private static Map<String, String> credHelpers(JsonObject root) {
    Map<String, String> result = new HashMap<>();
    if (root == null || !(root.get("credHelpers") instanceof JsonObject helpers)) {
      return result;
    }
    for (String key : new LinkedHashSet<>(helpers.names())) {
      String name = HeaderValues.stringMember(helpers, key);
      if (name != null && !name.isBlank()) {
        result.put(normalize(key), name.strip());
      }
    }
    return result;
  }

  private static Credentials entry(JsonValue v) {
    // As the Docker CLI: an identity token, when there is one, is what the token service gets.
    String identityToken = HeaderValues.stringMember(v, "identitytoken");
    if (identityToken != null && !identityToken.isEmpty()) {
      return Credentials.identityToken(identityToken);
    }
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
    k = k.toLowerCase(Locale.ROOT);
    if (k.equals("docker.io") || k.equals("index.docker.io") || k.equals("registry-1.docker.io")) {
      return ImageReference.DOCKER_HUB;
    }
    return k;
  }
}
