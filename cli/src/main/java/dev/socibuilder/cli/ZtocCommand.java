package dev.socibuilder.cli;

import dev.socibuilder.cli.args.Command;
import dev.socibuilder.cli.args.CommandSpec;
import dev.socibuilder.cli.args.Option;
import dev.socibuilder.cli.args.Positional;
import dev.socibuilder.cli.args.Streams;
import dev.socibuilder.cli.args.UsageException;
import dev.socibuilder.cli.args.Values;
import dev.socibuilder.indexer.store.AtomicFiles;
import dev.socibuilder.layer.LayerDataException;
import dev.socibuilder.ztoc.BuildInfo;
import dev.socibuilder.ztoc.CompressionAlgorithm;
import dev.socibuilder.ztoc.FileExtractor;
import dev.socibuilder.ztoc.FileMetadata;
import dev.socibuilder.ztoc.Ztoc;
import dev.socibuilder.ztoc.ZtocBuilder;
import dev.socibuilder.ztoc.ZtocCodec;
import dev.socibuilder.ztoc.ZtocInfo;
import dev.socibuilder.ztoc.ZtocLimitException;
import dev.socibuilder.ztoc.ZtocLimits;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;

/** {@code soci-builder ztoc ...}: build, inspect and use single zTOCs. */
final class ZtocCommand implements Command {
  private static final CommandSpec SPEC = CommandSpec.group("ztoc",
      List.of("Build, inspect and use the zTOC of a single layer."), List.of("create", "info", "get-file"));

  @Override
  public CommandSpec spec() {
    return SPEC;
  }

  @Override
  public Command subcommand(String name) {
    return switch (name) {
      case "create" -> new Create();
      case "info" -> new Info();
      case "get-file" -> new GetFile();
      default -> null;
    };
  }

  @Override
  public int run(Streams streams) {
    throw new UsageException("missing subcommand");
  }

  /** Accepts {@code gzip} or {@code uncompressed}. */
  enum Compression {
    gzip(CompressionAlgorithm.GZIP),
    uncompressed(CompressionAlgorithm.UNCOMPRESSED);

    final CompressionAlgorithm algorithm;

    Compression(CompressionAlgorithm algorithm) {
      this.algorithm = algorithm;
    }

    /** The value of {@code --compression} (a switch: {@code valueOf} reflects over the enum). */
    static Compression parse(String value) {
      return switch (value) {
        case "gzip" -> gzip;
        case "uncompressed" -> uncompressed;
        default -> throw Values.notOneOf(value, "gzip", "uncompressed");
      };
    }
  }

  static final class Create implements Command {
    private static final CommandSpec SPEC = CommandSpec.of("create",
        List.of("Build the zTOC of a layer file (gzip or uncompressed tar), byte-identical to soci's."),
        List.of(
            Option.of("--output", "OUT", "Where to write the zTOC.").withShortName("-o").asRequired(),
            Option.of("--span-size", "BYTES", "Uncompressed bytes per span (default: ${DEFAULT-VALUE}).")
                .withDefault("4194304"),
            Option.of("--build-tool", "ID", "Build tool identifier written into the zTOC (default: this tool's "
                + "name and version; soci writes \"AWS SOCI CLI v0.2\")."),
            Option.of("--compression", "gzip|uncompressed", "How the layer is stored (default: ${DEFAULT-VALUE}).")
                .withDefault("gzip"),
            Option.of("--time-zone", "ZONE",
                "Time zone of mod_time texts, e.g. UTC or Europe/Paris (default: ${DEFAULT-VALUE}).")
                .withDefault("UTC"),
            Option.of("--limits", "NAME=VALUE[,...]", IndexingOptions.LIMITS_DESCRIPTION).withDefault(""),
            Option.of("--inflate-threads", "N", IndexingOptions.INFLATE_THREADS_DESCRIPTION)),
        List.of(Positional.of("LAYER", "The layer blob: a .tar.gz or a .tar file.")));

    Path layer;
    Path out;
    long spanSize;
    String buildTool;
    Compression compression;
    String timeZone;
    String limits;
    Integer inflateThreads;

    @Override
    public CommandSpec spec() {
      return SPEC;
    }

    @Override
    public void set(String key, String value) {
      switch (key) {
        case "LAYER" -> layer = Path.of(value);
        case "--output" -> out = Path.of(value);
        case "--span-size" -> spanSize = Values.toLong(value);
        case "--build-tool" -> buildTool = value;
        case "--compression" -> compression = Compression.parse(value);
        case "--time-zone" -> timeZone = value;
        case "--limits" -> limits = value;
        case "--inflate-threads" -> inflateThreads = Values.toInt(value);
        default -> Command.super.set(key, value);
      }
    }

    @Override
    public int run(Streams streams) throws IOException {
      int threads = IndexingOptions.inflateThreads(inflateThreads);
      if (spanSize <= 0) {
        throw new UsageException("--span-size must be positive");
      }
      ZtocLimits ztocLimits = IndexingOptions.limits(limits);
      ZoneId zone;
      try {
        zone = ZoneId.of(timeZone);
      } catch (DateTimeException e) {
        throw new UsageException("unknown time zone: " + timeZone);
      }
      String tool = buildTool != null ? buildTool : BuildInfo.defaultBuildTool();
      // A missing or unreadable layer is reported when it is opened below.
      long size = Files.isRegularFile(layer) ? Files.size(layer) : -1;
      ZtocBuilder builder;
      try {
        builder = ZtocBuilder.of(spanSize, tool, zone, ztocLimits)
            .withParallelism(ZtocBuilder.parallelismFor(threads, size));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--span-size: " + e.getMessage());
      }
      ZtocBuilder.Result result;
      try (InputStream raw = openLayer(layer);
          Progress progress = Progress.start(layer.getFileName().toString(), Files.size(layer));
          InputStream in = progress.track(raw)) {
        result = builder.build(in, compression.algorithm);
      } catch (LayerDataException | ZtocLimitException e) {
        throw new CliException("layer " + layer + ": " + e.getMessage(), e);
      }
      AtomicFiles.write(out, result.bytes());
      return 0;
    }
  }

  static final class Info implements Command {
    private static final CommandSpec SPEC = CommandSpec.of("info",
        List.of("Print a zTOC's summary and files as JSON (the shape of `soci ztoc info`)."),
        List.of(),
        List.of(Positional.of("ZTOC", "A zTOC file.")));

    Path ztocFile;

    @Override
    public CommandSpec spec() {
      return SPEC;
    }

    @Override
    public void set(String key, String value) {
      switch (key) {
        case "ZTOC" -> ztocFile = Path.of(value);
        default -> Command.super.set(key, value);
      }
    }

    @Override
    public int run(Streams streams) throws IOException {
      byte[] bytes = readFile(ztocFile);
      Ztoc ztoc = ZtocCodec.decode(bytes);
      PrintWriter out = streams.out();
      out.println(ZtocInfo.toJson(ztoc, bytes.length));
      out.flush();
      return 0;
    }
  }

  static final class GetFile implements Command {
    private static final CommandSpec SPEC = CommandSpec.of("get-file",
        List.of("Extract one file from a layer through its zTOC, reading only the spans it lies in."),
        List.of(Option.of("--output", "OUT", "Write the file here (default: stdout).").withShortName("-o")),
        List.of(Positional.of("ZTOC", "The layer's zTOC."), Positional.of("LAYER", "The layer blob."),
            Positional.of("PATH", "The file's path in the layer.")));

    Path ztocFile;
    Path layer;
    String path;
    Path out;

    @Override
    public CommandSpec spec() {
      return SPEC;
    }

    @Override
    public void set(String key, String value) {
      switch (key) {
        case "ZTOC" -> ztocFile = Path.of(value);
        case "LAYER" -> layer = Path.of(value);
        case "PATH" -> path = value;
        case "--output" -> out = Path.of(value);
        default -> Command.super.set(key, value);
      }
    }

    @Override
    public int run(Streams streams) throws IOException {
      Ztoc ztoc = ZtocCodec.decode(readFile(ztocFile));
      FileMetadata file =
          FileExtractor.find(ztoc, path)
              .orElseThrow(() -> new CliException("no file " + path + " in zTOC " + ztocFile));
      if (!file.type().equals("reg")) {
        throw new CliException(path + " is a " + file.type() + ", not a regular file");
      }
      if (!Files.isRegularFile(layer)) {
        throw new CliException("no such layer file: " + layer);
      }
      long layerSize = Files.size(layer);
      if (ztoc.compressedArchiveSize() != layerSize) {
        throw new CliException("zTOC " + ztocFile + " is the zTOC of a layer of " + ztoc.compressedArchiveSize()
            + " bytes, not of " + layer + " (" + layerSize + " bytes)");
      }
      FileExtractor.LayerSource source =
          offset -> {
            if (offset < 0 || offset > layerSize) {
              throw new CliException("zTOC " + ztocFile + " points at compressed offset " + offset + ", outside the "
                  + layerSize + "-byte layer " + layer);
            }
            FileChannel ch = FileChannel.open(layer, StandardOpenOption.READ);
            ch.position(offset);
            return Channels.newInputStream(ch);
          };
      try {
        if (out == null) {
          OutputStream stdout = new BufferedOutputStream(System.out, 1 << 16);
          FileExtractor.extract(ztoc, source, file, stdout);
          stdout.flush();
        } else {
          // Streamed: the file may be larger than the heap (or than 2 GiB); the target appears only whole.
          AtomicFiles.write(out, stream -> {
            OutputStream buffered = new BufferedOutputStream(stream, 1 << 16);
            FileExtractor.extract(ztoc, source, file, buffered);
            buffered.flush();
          });
        }
      } catch (LayerDataException e) {
        throw new CliException("layer " + layer + ": " + e.getMessage(), e);
      }
      return 0;
    }
  }

  static InputStream openLayer(Path layer) throws IOException {
    try {
      return Files.newInputStream(layer);
    } catch (NoSuchFileException e) {
      throw new CliException("no such layer file: " + layer);
    }
  }

  static byte[] readFile(Path p) throws IOException {
    try {
      if (Files.size(p) > ZtocLimits.MAX_ZTOC_BYTES) {
        throw new CliException(p + " is " + Files.size(p) + " bytes, larger than a zTOC can be");
      }
      return Files.readAllBytes(p);
    } catch (NoSuchFileException e) {
      throw new CliException("no such file: " + p);
    }
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
