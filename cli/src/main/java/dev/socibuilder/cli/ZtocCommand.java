package dev.socibuilder.cli;

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
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code soci-builder ztoc ...}: build, inspect and use single zTOCs. */
@Command(
    name = "ztoc",
    mixinStandardHelpOptions = true,
    description = "Build, inspect and use the zTOC of a single layer.",
    subcommands = {ZtocCommand.Create.class, ZtocCommand.Info.class, ZtocCommand.GetFile.class})
final class ZtocCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
  }

  /** Accepts {@code gzip} or {@code uncompressed}. */
  enum Compression {
    gzip(CompressionAlgorithm.GZIP),
    uncompressed(CompressionAlgorithm.UNCOMPRESSED);

    final CompressionAlgorithm algorithm;

    Compression(CompressionAlgorithm algorithm) {
      this.algorithm = algorithm;
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Build the zTOC of a layer file (gzip or uncompressed tar), byte-identical to soci's.")
  static final class Create implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LAYER", description = "The layer blob: a .tar.gz or a .tar file.")
    Path layer;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Where to write the zTOC.")
    Path out;

    @Option(names = "--span-size", paramLabel = "BYTES", defaultValue = "4194304",
        description = "Uncompressed bytes per span (default: ${DEFAULT-VALUE}).")
    long spanSize;

    @Option(names = "--build-tool", paramLabel = "ID",
        description = "Build tool identifier written into the zTOC (default: this tool's name and version; "
            + "soci writes \"AWS SOCI CLI v0.2\").")
    String buildTool;

    @Option(names = "--compression", paramLabel = "gzip|uncompressed", defaultValue = "gzip",
        description = "How the layer is stored (default: ${DEFAULT-VALUE}).")
    Compression compression;

    @Option(names = "--time-zone", paramLabel = "ZONE", defaultValue = "UTC",
        description = "Time zone of mod_time texts, e.g. UTC or Europe/Paris (default: ${DEFAULT-VALUE}).")
    String timeZone;

    @Option(names = "--limits", paramLabel = "NAME=VALUE[,...]", defaultValue = "",
        description = IndexingOptions.LIMITS_DESCRIPTION)
    String limits;

    @Option(names = "--inflate-threads", paramLabel = "N", description = IndexingOptions.INFLATE_THREADS_DESCRIPTION)
    Integer inflateThreads;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      int threads = IndexingOptions.inflateThreads(spec, inflateThreads);
      if (spanSize <= 0) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--span-size must be positive");
      }
      ZtocLimits ztocLimits = IndexingOptions.limits(spec, limits);
      ZoneId zone;
      try {
        zone = ZoneId.of(timeZone);
      } catch (DateTimeException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "unknown time zone: " + timeZone);
      }
      String tool = buildTool != null ? buildTool : BuildInfo.defaultBuildTool();
      // A missing or unreadable layer is reported when it is opened below.
      long size = Files.isRegularFile(layer) ? Files.size(layer) : -1;
      ZtocBuilder builder;
      try {
        builder = ZtocBuilder.of(spanSize, tool, zone, ztocLimits)
            .withParallelism(ZtocBuilder.parallelismFor(threads, size));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--span-size: " + e.getMessage());
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

  @Command(
      name = "info",
      mixinStandardHelpOptions = true,
      description = "Print a zTOC's summary and files as JSON (the shape of `soci ztoc info`).")
  static final class Info implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ZTOC", description = "A zTOC file.")
    Path ztocFile;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      byte[] bytes = readFile(ztocFile);
      Ztoc ztoc = ZtocCodec.decode(bytes);
      PrintWriter out = spec.commandLine().getOut();
      out.println(ZtocInfo.toJson(ztoc, bytes.length));
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "get-file",
      mixinStandardHelpOptions = true,
      description = "Extract one file from a layer through its zTOC, reading only the spans it lies in.")
  static final class GetFile implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ZTOC", description = "The layer's zTOC.")
    Path ztocFile;

    @Parameters(index = "1", paramLabel = "LAYER", description = "The layer blob.")
    Path layer;

    @Parameters(index = "2", paramLabel = "PATH", description = "The file's path in the layer.")
    String path;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Write the file here (default: stdout).")
    Path out;

    @Override
    public Integer call() throws IOException {
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
