package dev.socibuilder.ztoc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The output of {@code soci ztoc info} (S {@code cmd/soci/commands/ztoc/info.go}): Go's {@code
 * json.MarshalIndent(info, "", "  ")} followed by {@code fmt.Println}'s newline.
 *
 * <p>{@code span_size} comes from the zInfo, {@code num_spans} is {@code max_span_id + 1}; a file's
 * {@code start_span} is the span of its offset and {@code end_span} the span of {@code offset +
 * size} (an exclusive end, so a file ending exactly on a span boundary also counts the next span);
 * {@code num_multi_span_files} counts files whose two differ. Files are listed in the order soci's
 * {@code Unmarshal} leaves them: sorted by offset. {@code files} is {@code null} when the TOC is
 * empty.
 */
public final class ZtocInfo {
  private ZtocInfo() {}

  /**
   * @param z the zTOC
   * @param ztocSize the size of the zTOC blob in bytes (the {@code size} field)
   * @throws InvalidZtocException if the checkpoints blob cannot be parsed (soci fails the same way)
   */
  public static String toJson(Ztoc z, long ztocSize) {
    SpanIndex zinfo = z.compressionInfo().spanIndex();
    List<FileMetadata> files = new ArrayList<>(z.toc());
    files.sort(Comparator.comparingLong(FileMetadata::uncompressedOffset));

    StringBuilder sb = new StringBuilder(256 + 160 * files.size());
    int multiSpan = 0;
    StringBuilder list = new StringBuilder(160 * files.size());
    for (int i = 0; i < files.size(); i++) {
      FileMetadata f = files.get(i);
      int start = zinfo.spanOf(f.uncompressedOffset());
      int end = zinfo.spanOf(f.uncompressedOffset() + f.uncompressedSize());
      if (start != end) {
        multiSpan++;
      }
      list.append(i == 0 ? "\n" : ",\n").append("    {\n");
      list.append("      \"filename\": ");
      GoText.appendJsonString(list, f.name());
      list.append(",\n      \"offset\": ").append(f.uncompressedOffset());
      list.append(",\n      \"size\": ").append(f.uncompressedSize());
      list.append(",\n      \"type\": ");
      GoText.appendJsonString(list, f.type().getBytes(StandardCharsets.UTF_8));
      list.append(",\n      \"start_span\": ").append(start);
      list.append(",\n      \"end_span\": ").append(end);
      list.append("\n    }");
    }

    sb.append("{\n  \"version\": ");
    GoText.appendJsonString(sb, z.version().getBytes(StandardCharsets.UTF_8));
    sb.append(",\n  \"build_tool\": ");
    GoText.appendJsonString(sb, z.buildToolIdentifier());
    sb.append(",\n  \"size\": ").append(ztocSize);
    sb.append(",\n  \"span_size\": ").append(zinfo.spanSize());
    sb.append(",\n  \"num_spans\": ").append(z.compressionInfo().maxSpanId() + 1);
    sb.append(",\n  \"num_files\": ").append(files.size());
    sb.append(",\n  \"num_multi_span_files\": ").append(multiSpan);
    sb.append(",\n  \"files\": ");
    if (files.isEmpty()) {
      sb.append("null");
    } else {
      sb.append('[').append(list).append("\n  ]");
    }
    sb.append("\n}\n");
    return sb.toString();
  }
}
