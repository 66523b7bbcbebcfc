package dev.socibuilder.registry;

import dev.socibuilder.json.JsonException;
import dev.socibuilder.json.JsonParser;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.json.JsonValue.JsonArray;
import dev.socibuilder.json.JsonValue.JsonNull;
import dev.socibuilder.json.JsonValue.JsonObject;
import dev.socibuilder.json.JsonValue.JsonString;
import dev.socibuilder.registry.http.Request;
import dev.socibuilder.registry.http.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The two paginated listings of the distribution API: the catalog ({@code GET /v2/_catalog?n=N}, answering
 * {@code {"repositories":[...]}}) and a repository's tags ({@code GET /v2/<name>/tags/list?n=N}, answering
 * {@code {"name":...,"tags":[...]}}). Further pages are fetched from the {@code Link: <...>; rel="next"}
 * header, which must stay on the registry's origin and the same endpoint (a link elsewhere would carry the
 * registry's credentials away). Everything is bounded by a {@link Listing}: pages, names, and each page's
 * size ({@link #MAX_PAGE_BYTES}).
 */
final class NameLister {
  /** The largest listing page read. 100,000 names of 80 bytes fit. */
  static final int MAX_PAGE_BYTES = 8 * 1024 * 1024;
  /** Repository names are at most 255 characters (Distribution) and tags 128; anything this long is garbage. */
  static final int MAX_NAME_LENGTH = 1024;

  private record Page(List<String> names, String next) {}

  private final Transport transport;

  NameLister(Transport transport) {
    this.transport = transport;
  }

  List<String> repositories(String registry, Listing listing) {
    Op op = new Op(Op.LIST_REPOSITORIES, registry, null, null, false);
    // "_catalog" in the repository slot: /v2/_catalog is the one registry-wide endpoint used here
    URI first = transport.uri(registry, "_catalog", "?n=" + listing.pageSize());
    return list(op, first, "repositories", listing);
  }

  List<String> tags(String registry, String repository, Listing listing) {
    Op op = new Op("list tags of", registry, repository, null, false);
    URI first = transport.uri(registry, repository, "/tags/list?n=" + listing.pageSize());
    return list(op, first, "tags", listing);
  }

  private List<String> list(Op op, URI first, String member, Listing listing) {
    List<String> names = new ArrayList<>();
    Set<URI> fetched = new HashSet<>();
    URI uri = first;
    while (uri != null) {
      if (fetched.size() >= listing.maxPages()) {
        throw op.failure(0, null, "the registry keeps sending next-page links: stopped after "
            + listing.maxPages() + " pages (the page limit)", false);
      }
      if (!fetched.add(uri)) {
        throw op.failure(0, null, "the registry's next-page link repeats a page already fetched", false);
      }
      Page page = fetch(op, uri, member, fetched.size() == 1);
      if (names.size() + page.names().size() > listing.maxEntries()) {
        throw op.failure(0, null, "more than " + listing.maxEntries() + " " + member + " (the listing limit)", false);
      }
      names.addAll(page.names());
      uri = page.next() == null ? null : nextPage(op, first, uri, page.next());
    }
    return names;
  }

  private Page fetch(Op op, URI uri, String member, boolean firstPage) {
    try {
      return transport.withRetries(op, () -> {
        Response r = transport.exchange(op, () ->
            Request.newBuilder(uri).GET().header("Accept", "application/json"));
        if (r.statusCode() != 200) {
          throw Transport.failure(op, r);
        }
        String next = HeaderValues.nextLink(r.headers());
        byte[] body = Transport.readLimited(r, MAX_PAGE_BYTES, op);
        return new Page(names(op, body, member), next);
      });
    } catch (RegistryException e) {
      if (firstPage && op.repository() == null && CatalogUnsupportedException.means(e)) {
        throw new CatalogUnsupportedException(e);
      }
      throw e;
    }
  }

  /** The next page's URI, resolved against the current one; it must stay on the same origin and endpoint. */
  private static URI nextPage(Op op, URI first, URI current, String link) {
    URI next;
    try {
      next = current.resolve(link);
    } catch (IllegalArgumentException e) {
      throw op.failure(200, null, "the registry sent a malformed next-page link", false);
    }
    if (!Transport.sameOrigin(first, next) || !first.getRawPath().equals(next.getRawPath())) {
      throw op.failure(200, null, "the registry sent a next-page link to another endpoint ("
          + next.getScheme() + "://" + next.getRawAuthority() + next.getRawPath() + "); not followed", false);
    }
    return next;
  }

  /** The names of one page: {@code member} must be an array of strings, or null or absent for none. */
  private static List<String> names(Op op, byte[] body, String member) {
    JsonValue json;
    try {
      json = JsonParser.parse(body);
    } catch (JsonException e) {
      throw op.failure(200, null, "malformed listing: " + e.getMessage(), false);
    }
    if (!(json instanceof JsonObject o)) {
      throw op.failure(200, null, "malformed listing: not a JSON object", false);
    }
    JsonValue list = o.get(member);
    if (list == null || list instanceof JsonNull) {
      return List.of(); // Distribution answers "tags":null for a repository without tags
    }
    if (!(list instanceof JsonArray array)) {
      throw op.failure(200, null, "malformed listing: \"" + member + "\" is not an array", false);
    }
    List<String> names = new ArrayList<>(array.elements().size());
    for (JsonValue e : array.elements()) {
      if (!(e instanceof JsonString s) || s.value().isEmpty() || s.value().length() > MAX_NAME_LENGTH) {
        throw op.failure(200, null, "malformed listing: \"" + member + "\" holds an entry that is not a name", false);
      }
      names.add(s.value());
    }
    return names;
  }
}
