package dev.socibuilder.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LambdaArtifactsTest {

  @TempDir
  Path repo;

  @Test
  void findsThePackagedJarsWhereMavenBuildsThem() throws IOException {
    Path filter = touch(repo.resolve("lambda-filter/target/lambda-filter.jar"));
    Path indexer = touch(repo.resolve("lambda-indexer/target/lambda-indexer.jar"));

    LambdaArtifacts artifacts = LambdaArtifacts.inRepository(repo);

    assertThat(artifacts.filterJar()).isEqualTo(filter.toAbsolutePath());
    assertThat(artifacts.indexerJar()).isEqualTo(indexer.toAbsolutePath());
  }

  @Test
  void missingJarTellsToRunMavenPackageFirst() throws IOException {
    touch(repo.resolve("lambda-filter/target/lambda-filter.jar"));

    assertThatThrownBy(() -> LambdaArtifacts.inRepository(repo))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lambda-indexer/target/lambda-indexer.jar")
        .hasMessageContaining("run mvn package first");
  }

  @Test
  void aDirectoryIsNotAJar() throws IOException {
    Path dir = Files.createDirectories(repo.resolve("classes.jar"));
    Path indexer = touch(repo.resolve("i.jar"));

    assertThatThrownBy(() -> new LambdaArtifacts(dir, indexer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("run mvn package first");
  }

  @Test
  void rejectsFilesThatLambdaCannotRunAsIs() throws IOException {
    Path text = touch(repo.resolve("handler.txt"));
    Path indexer = touch(repo.resolve("i.jar"));

    assertThatThrownBy(() -> new LambdaArtifacts(text, indexer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(".jar or .zip");
  }

  private static Path touch(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.write(file, new byte[] {'P', 'K'});
  }
}
