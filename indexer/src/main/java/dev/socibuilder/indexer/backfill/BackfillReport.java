package dev.socibuilder.indexer.backfill;

import dev.socibuilder.json.GoJsonWriter;
import dev.socibuilder.json.JsonParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a backfill did: one {@link ImageResult} per image (sorted by repository and tag), and counts per
 * outcome.
 *
 * @param registry the registry host
 * @param repository the one repository backfilled, or null for the whole catalog
 * @param filters the filter list, in its written form
 */
public record BackfillReport(
    String registry, String repository, String filters, boolean dryRun, List<ImageResult> images,
    Duration duration) {

  private static final Comparator<ImageResult> ORDER = Comparator.comparing(ImageResult::repository)
      .thenComparing(ImageResult::tag, Comparator.nullsFirst(Comparator.naturalOrder()));

  public BackfillReport {
    images = images.stream().sorted(ORDER).toList();
  }

  /** How many images ended with each outcome ({@link ImageResult#outcome()}), sorted by outcome. */
  public Map<String, Integer> counts() {
    Map<String, Integer> counts = new TreeMap<>();
    for (ImageResult r : images) {
      counts.merge(r.outcome(), 1, Integer::sum);
    }
    return counts;
  }

  /** The images (or repositories) that failed. */
  public List<ImageResult> failures() {
    return images.stream().filter(r -> r.status() == ImageResult.Status.FAILED).toList();
  }

  /**
   * The report as compact JSON: {@code registry}, {@code repository}, {@code filters}, {@code dryRun},
   * {@code images} (each with {@code repository}, {@code tag}, {@code outcome}, {@code reason} and the
   * indexer's {@code report} or null), {@code counts} and {@code durationMillis}.
   */
  public String toJson() {
    GoJsonWriter w = new GoJsonWriter().beginObject();
    w.name("registry").value(registry);
    nullable(w.name("repository"), repository);
    w.name("filters").value(filters);
    w.name("dryRun").value(dryRun);
    w.name("images").beginArray();
    for (ImageResult r : images) {
      w.beginObject();
      w.name("repository").value(r.repository());
      nullable(w.name("tag"), r.tag());
      w.name("outcome").value(r.outcome());
      w.name("reason").value(r.reason());
      w.name("report");
      if (r.report() == null) {
        w.nullValue();
      } else {
        w.value(JsonParser.parse(r.report().toJson().getBytes(StandardCharsets.UTF_8)));
      }
      w.endObject();
    }
    w.endArray();
    w.name("counts").beginObject();
    counts().forEach((outcome, n) -> w.name(outcome).value(n));
    w.endObject();
    w.name("durationMillis").value(duration.toMillis());
    w.endObject();
    return new String(w.toByteArray(), StandardCharsets.UTF_8);
  }

  private static void nullable(GoJsonWriter w, String value) {
    if (value == null) {
      w.nullValue();
    } else {
      w.value(value);
    }
  }
}
