package dev.socibuilder.testing.filters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Reads {@code filters/filter-cases.txt}, the table of filter cases shared by the filter rules, the filter Lambda
 * and the stack's IAM grant (see the file's header for the columns).
 */
public final class FilterCases {

  private static final String RESOURCE = "filters/filter-cases.txt";

  private FilterCases() {}

  /**
   * One row.
   *
   * @param filters the comma-separated filter list
   * @param repository the pushed repository
   * @param tag the pushed tag, or {@code ""} for a push by digest only
   * @param selected whether the list selects the image
   * @param granted whether the indexer's grant derived from the list covers the repository
   */
  public record FilterCase(String filters, String repository, String tag, boolean selected, boolean granted) {

    public FilterCase {
      if (filters.isEmpty() || repository.isEmpty()) {
        throw new IllegalArgumentException("filters and repository are required");
      }
      if (selected && !granted) {
        throw new IllegalArgumentException("a selected image must be granted: " + filters + " " + repository);
      }
    }

    /** Whether the push is by digest only. */
    public boolean untagged() {
      return tag.isEmpty();
    }

    @Override
    public String toString() {
      return filters + " | " + repository + ":" + tag + " -> selected " + selected + ", granted " + granted;
    }
  }

  /** Every row, in file order. */
  public static List<FilterCase> all() {
    List<FilterCase> cases = new ArrayList<>();
    try (InputStream in = FilterCases.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the class path");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      int lineNumber = 0;
      for (String line; (line = reader.readLine()) != null; ) {
        lineNumber++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] cells = line.split("\\|", -1);
        if (cells.length != 5) {
          throw new IllegalStateException(RESOURCE + ":" + lineNumber + ": expected 5 columns, got " + cells.length);
        }
        cases.add(new FilterCase(cells[0].strip(), cells[1].strip(), cells[2].strip(),
            bool(cells[3], lineNumber), bool(cells[4], lineNumber)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(cases);
  }

  /** The distinct filter lists of the table, in file order. */
  public static List<String> filterLists() {
    LinkedHashSet<String> lists = new LinkedHashSet<>();
    all().forEach(c -> lists.add(c.filters()));
    return List.copyOf(lists);
  }

  private static boolean bool(String cell, int lineNumber) {
    return switch (cell.strip()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalStateException(RESOURCE + ":" + lineNumber + ": not true/false: " + cell);
    };
  }
}
