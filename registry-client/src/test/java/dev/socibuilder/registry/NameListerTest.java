package dev.socibuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.socibuilder.digest.Digest;
import dev.socibuilder.oci.MediaTypes;
import dev.socibuilder.testing.registry.RegistryServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The catalog and tag listings: against a real Distribution 2.8 (anonymous and token auth), and, for what
 * Distribution 2.8 cannot do (it does not paginate tag lists) or must never do (hostile next links, endless
 * pages, oversized pages), against a small HTTP stub of the two endpoints.
 */
class NameListerTest {
  static final String USER = "lister";
  static final String PASSWORD = "listing-password-1";
  static final List<String> REPOSITORIES = List.of("alpha", "beta/one", "beta/two", "gamma", "zeta");

  static RegistryServer registry;
  static RegistryServer token;

  HttpServer stub;
  final Map<String, Function<String, Answer>> routes = new ConcurrentHashMap<>();
  final List<String> requested = new CopyOnWriteArrayList<>();

  record Answer(int status, String link, String body) {}

  @BeforeAll
  static void startRegistries() {
    registry = RegistryServer.anonymous().start();
    token = RegistryServer.tokenAuth(USER, PASSWORD).start();
    try (RegistryClient c = client(registry, null)) {
      for (String repository : REPOSITORIES) {
        pushTinyImage(c, registry.hostPort(), repository, "v1", "v2", "latest");
      }
    }
    try (RegistryClient c = client(token, PASSWORD)) {
      pushTinyImage(c, token.hostPort(), "secured/app", "v1");
    }
  }

  @AfterAll
  static void stopRegistries() {
    if (registry != null) {
      registry.close();
    }
    if (token != null) {
      token.close();
    }
  }

  @BeforeEach
  void startStub() throws IOException {
    stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    stub.createContext("/", this::serve);
    stub.start();
  }

  @AfterEach
  void stopStub() {
    stub.stop(0);
  }

  static RegistryClient client(RegistryServer server, String password) {
    CredentialsProvider creds = password == null ? null : CredentialsProvider.of(server.hostPort(),
        new Credentials(USER, password));
    return new RegistryClient(creds, new RetryPolicy(2, Duration.ZERO, Duration.ZERO), true, Duration.ofSeconds(10));
  }

  /** A one-layer image under each tag, pushed with the client itself (faster than skopeo for many tags). */
  static void pushTinyImage(RegistryClient c, String host, String repository, String... tags) {
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
        .getBytes(StandardCharsets.UTF_8);
    c.pushBlob(host, repository, Digest.sha256Of(config), config);
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256Of(config) + "\",\"size\":" + config.length
        + "},\"layers\":[]}";
    for (String tag : tags) {
      c.putManifest(host, repository, tag, manifest.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_MANIFEST);
    }
  }

  private String stubHost() {
    return "127.0.0.1:" + stub.getAddress().getPort();
  }

  private void serve(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      String query = ex.getRequestURI().getRawQuery();
      requested.add(path + (query == null ? "" : "?" + query));
      Function<String, Answer> route = routes.get(path);
      Answer a = route == null ? new Answer(404, null, "{\"errors\":[{\"code\":\"NOT_FOUND\"}]}") : route.apply(query);
      byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
      if (a.link() != null) {
        ex.getResponseHeaders().add("Link", a.link());
      }
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream os = ex.getResponseBody()) {
          os.write(body);
        }
      }
    }
  }

  /** Serves {@code names} as {@code member} in pages of the requested n, linked with {@code last=}, as Distribution 3 does. */
  private Function<String, Answer> paginated(String path, String member, List<String> names) {
    return query -> {
      int n = Integer.parseInt(param(query, "n"));
      String last = param(query, "last");
      int from = last == null ? 0 : names.indexOf(last) + 1;
      int to = Math.min(names.size(), from + n);
      List<String> page = names.subList(from, to);
      String link = to < names.size() ? "<" + path + "?last=" + names.get(to - 1) + "&n=" + n + ">; rel=\"next\"" : null;
      return new Answer(200, link, "{\"" + member + "\":[" + String.join(",", page.stream().map(s -> "\"" + s + "\"").toList())
          + "]}");
    };
  }

  private static String param(String query, String name) {
    for (String p : query == null ? new String[0] : query.split("&")) {
      if (p.startsWith(name + "=")) {
        return p.substring(name.length() + 1);
      }
    }
    return null;
  }

  private static List<String> tags(int count) {
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      tags.add(String.format("t%03d", i));
    }
    return tags;
  }

  // ------------------------------------------------------------------ the real registry

  @Test
  void listsEveryRepositoryOfTheCatalogAcrossPagesOfTwo() {
    try (RegistryClient c = client(registry, null)) {
      List<String> repositories = c.listRepositories(registry.hostPort(), Listing.defaults().withPageSize(2));

      assertThat(repositories).containsExactlyElementsOf(REPOSITORIES);
    }
  }

  @Test
  void listsTheTagsOfARepository() {
    try (RegistryClient c = client(registry, null)) {
      assertThat(c.listTags(registry.hostPort(), "beta/one", Listing.defaults().withPageSize(2)))
          .containsExactlyInAnyOrder("v1", "v2", "latest");
    }
  }

  @Test
  void anUnknownRepositoryIsANameUnknownFailure() {
    try (RegistryClient c = client(registry, null)) {
      assertThatThrownBy(() -> c.listTags(registry.hostPort(), "no/such", Listing.defaults()))
          .isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.errorCode()).isEqualTo("NAME_UNKNOWN");
          })
          .hasMessageStartingWith("list tags of " + registry.hostPort() + "/no/such failed: HTTP 404 NAME_UNKNOWN");
    }
  }

  @Test
  void aCatalogLongerThanTheEntryLimitFailsNamingTheLimit() {
    try (RegistryClient c = client(registry, null)) {
      assertThatThrownBy(() -> c.listRepositories(registry.hostPort(), new Listing(2, 100, 4)))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("more than 4 repositories (the listing limit)");
    }
  }

  @Test
  void tokenAuthAsksForTheCatalogScope() {
    try (RegistryClient c = client(token, PASSWORD)) {
      int before = token.tokenRequests();

      assertThat(c.listRepositories(token.hostPort(), Listing.defaults())).containsExactly("secured/app");
      assertThat(token.tokenQueries().subList(before, token.tokenRequests()))
          .containsExactly("service=" + RegistryServer.SERVICE + "&scope=registry:catalog:*");
    }
  }

  @Test
  void aCatalogRefusedToAnonymousCallersAsksForARepository() {
    try (RegistryClient c = client(token, null)) {
      assertThatThrownBy(() -> c.listRepositories(token.hostPort(), Listing.defaults()))
          .isInstanceOfSatisfying(CatalogUnsupportedException.class, e -> assertThat(e.status()).isEqualTo(401))
          .hasMessageContaining("anonymous access refused")
          .hasMessageEndingWith("the registry does not list its repositories to this client: name one repository, as "
              + token.hostPort() + "/REPOSITORY");
    }
  }

  // ------------------------------------------------------------------ the stub

  @Test
  void followsTagPagesLinkedWithLast() {
    List<String> all = tags(25);
    routes.put("/v2/app/tags/list", paginated("/v2/app/tags/list", "tags", all));
    try (RegistryClient c = client(registry, null)) {
      assertThat(c.listTags(stubHost(), "app", Listing.defaults().withPageSize(10))).containsExactlyElementsOf(all);
    }
    assertThat(requested).containsExactly("/v2/app/tags/list?n=10", "/v2/app/tags/list?last=t009&n=10",
        "/v2/app/tags/list?last=t019&n=10");
  }

  @Test
  void aRepositoryWithoutTagsHasAnEmptyList() {
    routes.put("/v2/app/tags/list", q -> new Answer(200, null, "{\"name\":\"app\",\"tags\":null}"));
    try (RegistryClient c = client(registry, null)) {
      assertThat(c.listTags(stubHost(), "app", Listing.defaults())).isEmpty();
    }
  }

  @Test
  void aNextLinkToAnotherOriginIsNotFollowed() {
    routes.put("/v2/app/tags/list", q -> new Answer(200,
        "<http://attacker.example:8080/v2/app/tags/list?last=a&n=10>; rel=\"next\"", "{\"tags\":[\"a\"]}"));
    try (RegistryClient c = client(registry, null)) {
      assertThatThrownBy(() -> c.listTags(stubHost(), "app", Listing.defaults()))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("next-page link to another endpoint (http://attacker.example:8080/v2/app/tags/list)");
    }
    assertThat(requested).hasSize(1);
  }

  @Test
  void aNextLinkToAnotherEndpointOfTheSameRegistryIsNotFollowed() {
    routes.put("/v2/_catalog", q -> new Answer(200, "</v2/secret/tags/list>; rel=\"next\"",
        "{\"repositories\":[\"a\"]}"));
    try (RegistryClient c = client(registry, null)) {
      assertThatThrownBy(() -> c.listRepositories(stubHost(), Listing.defaults()))
          .hasMessageContaining("next-page link to another endpoint");
    }
  }

  @Test
  void aNextLinkBackToAPageAlreadyFetchedStops() {
    routes.put("/v2/app/tags/list", q -> new Answer(200, "</v2/app/tags/list?n=100>; rel=\"next\"",
        "{\"tags\":[\"a\"]}"));
    try (RegistryClient c = client(registry, null)) {
      assertThatThrownBy(() -> c.listTags(stubHost(), "app", Listing.defaults()))
          .hasMessageContaining("repeats a page already fetched");
    }
    assertThat(requested).hasSize(1);
  }

  @Test
  void endlessNextLinksStopAtThePageLimit() {
    routes.put("/v2/app/tags/list", q -> {
      String last = param(q, "last");
      int i = last == null ? 0 : Integer.parseInt(last) + 1;
      return new Answer(200, "</v2/app/tags/list?last=" + i + "&n=1>; rel=\"next\"", "{\"tags\":[\"x" + i + "\"]}");
    });
    try (RegistryClient c = client(registry, null)) {
      assertThatThrownBy(() -> c.listTags(stubHost(), "app", new Listing(1, 5, 1000)))
          .hasMessageContaining("stopped after 5 pages (the page limit)");
    }
    assertThat(requested).hasSize(5);
  }

  @Test
  void anOversizedPageFailsWithoutReadingItAll() {
    String huge = "{\"tags\":[\"" + "a".repeat(NameLister.MAX_PAGE_BYTES) + "\"]}";
    routes.put("/v2/app/tags/list", q -> new Answer(200, null, huge));
    try (RegistryClient c = client(registry, null)) {
      assertThatThrownBy(() -> c.listTags(stubHost(), "app", Listing.defaults()))
          .hasMessageContaining("response larger than " + NameLister.MAX_PAGE_BYTES + " bytes");
    }
  }

  @Test
  void malformedListingsFailClearly() {
    try (RegistryClient c = client(registry, null)) {
      routes.put("/v2/app/tags/list", q -> new Answer(200, null, "not json"));
      assertThatThrownBy(() -> c.listTags(stubHost(), "app", Listing.defaults()))
          .hasMessageContaining("list tags of " + stubHost() + "/app failed: HTTP 200 - malformed listing");
      routes.put("/v2/app/tags/list", q -> new Answer(200, null, "{\"tags\":\"v1\"}"));
      assertThatThrownBy(() -> c.listTags(stubHost(), "app", Listing.defaults()))
          .hasMessageContaining("\"tags\" is not an array");
      routes.put("/v2/app/tags/list", q -> new Answer(200, null, "{\"tags\":[\"v1\",42]}"));
      assertThatThrownBy(() -> c.listTags(stubHost(), "app", Listing.defaults()))
          .hasMessageContaining("holds an entry that is not a name");
    }
  }

  @Test
  void aCatalogAnswering404OrUnsupportedIsReportedAsUnsupported() {
    try (RegistryClient c = client(registry, null)) {
      assertThatThrownBy(() -> c.listRepositories(stubHost(), Listing.defaults()))
          .isInstanceOfSatisfying(CatalogUnsupportedException.class, e -> assertThat(e.status()).isEqualTo(404))
          .hasMessageContaining("name one repository, as " + stubHost() + "/REPOSITORY");
      routes.put("/v2/_catalog", q -> new Answer(400, null,
          "{\"errors\":[{\"code\":\"UNSUPPORTED\",\"message\":\"The operation is unsupported.\"}]}"));
      assertThatThrownBy(() -> c.listRepositories(stubHost(), Listing.defaults()))
          .isInstanceOf(CatalogUnsupportedException.class)
          .hasMessageContaining("HTTP 400 UNSUPPORTED - The operation is unsupported.; the registry does not list");
      routes.put("/v2/_catalog", q -> new Answer(403, null, "{\"errors\":[{\"code\":\"DENIED\"}]}"));
      assertThatThrownBy(() -> c.listRepositories(stubHost(), Listing.defaults()))
          .isInstanceOf(CatalogUnsupportedException.class);
    }
  }

  @Test
  void aLaterCatalogPageFailingIsAnOrdinaryFailure() {
    routes.put("/v2/_catalog", q -> param(q, "last") == null
        ? new Answer(200, "</v2/_catalog?last=a&n=100>; rel=\"next\"", "{\"repositories\":[\"a\"]}")
        : new Answer(404, null, "{\"errors\":[{\"code\":\"NOT_FOUND\"}]}"));
    try (RegistryClient c = client(registry, null)) {
      assertThatThrownBy(() -> c.listRepositories(stubHost(), Listing.defaults()))
          .isInstanceOf(RegistryException.class)
          .isNotInstanceOf(CatalogUnsupportedException.class)
          .hasMessageContaining("HTTP 404");
    }
  }

  @Test
  void transientFailuresOfAPageAreRetried() {
    List<Integer> calls = new CopyOnWriteArrayList<>();
    routes.put("/v2/_catalog", q -> {
      calls.add(1);
      return calls.size() == 1 ? new Answer(503, null, "") : new Answer(200, null, "{\"repositories\":[\"a\",\"b\"]}");
    });
    try (RegistryClient c = client(registry, null)) {
      assertThat(c.listRepositories(stubHost(), Listing.defaults())).containsExactly("a", "b");
    }
    assertThat(calls).hasSize(2);
  }
}
