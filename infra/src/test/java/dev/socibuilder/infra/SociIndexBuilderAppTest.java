package dev.socibuilder.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;

class SociIndexBuilderAppTest {

  @TempDir
  Path jars;

  @Test
  void stackNameComesFromContextSoSeveralCopiesCanBeDeployed() throws IOException {
    App app = new App(AppProps.builder().outdir(jars.resolve("cdk.out").toString())
        .context(Map.of("stackName", "SociIndexBuilder-team2")).build());

    SociIndexBuilderStack stack = SociIndexBuilderApp.configure(app, artifacts());

    assertThat(stack.getStackName()).isEqualTo("SociIndexBuilder-team2");
  }

  @Test
  void stackIsAccountAndRegionAgnostic() throws IOException {
    App app = new App(AppProps.builder().outdir(jars.resolve("cdk.out").toString()).build());

    SociIndexBuilderStack stack = SociIndexBuilderApp.configure(app, artifacts());

    assertThat(stack.getStackName()).isEqualTo("SociIndexBuilder");
    // unresolved tokens: the same template deploys to any account and region
    assertThat(stack.getAccount()).startsWith("${Token[");
    assertThat(stack.getRegion()).startsWith("${Token[");
  }

  private LambdaArtifacts artifacts() throws IOException {
    return new LambdaArtifacts(Files.write(jars.resolve("f.jar"), new byte[] {'P', 'K', 1}),
        Files.write(jars.resolve("i.jar"), new byte[] {'P', 'K', 2}));
  }
}
