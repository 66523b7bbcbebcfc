package dev.socibuilder.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The two Lambda deployment packages the stack uploads as assets: the shaded jars that {@code mvn package}
 * builds in the {@code lambda-filter} and {@code lambda-indexer} modules. The stack takes them from here rather
 * than computing paths itself, so tests can pass placeholder jars and {@code cdk synth} never needs Docker.
 *
 * @param filterJar  the filter function's jar (handlers {@value SociIndexBuilder#FILTER_HANDLER} and
 *                   {@value SociIndexBuilder#SWEEP_HANDLER})
 * @param indexerJar the indexer function's jar (handlers {@value SociIndexBuilder#INDEXER_HANDLER} and
 *                   {@value SociIndexBuilder#FAILURE_HANDLER})
 */
public record LambdaArtifacts(Path filterJar, Path indexerJar) {

  /** Where {@code mvn package} leaves the filter jar, relative to the repository root. */
  public static final String FILTER_JAR = "lambda-filter/target/lambda-filter.jar";
  /** Where {@code mvn package} leaves the indexer jar, relative to the repository root. */
  public static final String INDEXER_JAR = "lambda-indexer/target/lambda-indexer.jar";

  /**
   * @throws IllegalArgumentException if either file is not a regular file (the message names it and says to
   *                                  run {@code mvn package} first)
   */
  public LambdaArtifacts {
    Objects.requireNonNull(filterJar, "filterJar");
    Objects.requireNonNull(indexerJar, "indexerJar");
    requireJar(filterJar);
    requireJar(indexerJar);
    filterJar = filterJar.toAbsolutePath().normalize();
    indexerJar = indexerJar.toAbsolutePath().normalize();
  }

  /**
   * The jars as built in a checkout of this repository.
   *
   * @param repositoryRoot the directory holding {@code lambda-filter/} and {@code lambda-indexer/}
   * @throws IllegalArgumentException if a jar is missing (the project has not been packaged yet)
   */
  public static LambdaArtifacts inRepository(Path repositoryRoot) {
    Objects.requireNonNull(repositoryRoot, "repositoryRoot");
    return new LambdaArtifacts(repositoryRoot.resolve(FILTER_JAR), repositoryRoot.resolve(INDEXER_JAR));
  }

  private static void requireJar(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("Lambda package " + jar.toAbsolutePath().normalize()
          + " does not exist: run mvn package first (from the repository root)");
    }
    // Code.fromAsset uploads a .jar/.zip file as-is; anything else would be zipped again and not run.
    String name = jar.getFileName().toString();
    if (!name.endsWith(".jar") && !name.endsWith(".zip")) {
      throw new IllegalArgumentException("Lambda package " + jar + " must be a .jar or .zip file");
    }
  }
}
