package dev.socibuilder.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socibuilder.indexer.store.RegistryImageStore;
import dev.socibuilder.oci.Descriptor;
import dev.socibuilder.oci.ImageIndex;
import dev.socibuilder.oci.ImageManifest;
import dev.socibuilder.oci.StoredManifest;
import dev.socibuilder.registry.RegistryClient;
import dev.socibuilder.registry.RetryPolicy;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.Skopeo;
import dev.socibuilder.testing.registry.TestImages;
import dev.socibuilder.testing.registry.TestImages.LayerSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several runs on the same image at once (as happens when ECR delivers a push event twice, or two
 * pushes of one tag race): every run succeeds and the registry ends with one consistent SOCI-enabled
 * image, because everything is content-addressed and the tag is written last.
 */
class IndexingServiceConcurrencyTest {
  @TempDir Path tmp;

  @Test
  void concurrentRunsOnOneImageConvergeOnTheSameSociIndex() throws Exception {
    try (RegistryServer registry = RegistryServer.anonymous().start();
        RegistryClient client = new RegistryClient(null, new RetryPolicy(4, Duration.ofMillis(20),
            Duration.ofMillis(200)), true, Duration.ofSeconds(20))) {
      TestImages.TestImage image = TestImages.singlePlatform(tmp.resolve("img"), "v1",
          LayerSpec.incompressible(3 << 20, 11), LayerSpec.incompressible(3 << 20, 12));
      Skopeo.copy(image.ociReference(), "docker://" + registry.hostPort() + "/race:v1");
      IndexOptions options = IndexOptions.defaults("race test").withMinLayerSize(1 << 20)
          .withSpanSize(1 << 20).withForce(true).withParallelism(2);
      RegistryImageStore store = new RegistryImageStore(client, registry.hostPort(), "race");

      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<IndexReport>> runs = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          Callable<IndexReport> run = () -> new IndexingService(options, null).index(store, "v1", null);
          runs.add(pool.submit(run));
        }
        List<String> indexDigests = new ArrayList<>();
        for (Future<IndexReport> f : runs) {
          IndexReport r = f.get();
          assertThat(r.outcome()).isEqualTo(IndexReport.Outcome.INDEXED);
          indexDigests.add(r.imageIndexDigest());
        }
        // Same layers, options and tool: byte-identical artifacts, whoever wins the tag.
        assertThat(indexDigests).containsOnly(indexDigests.get(0));
        StoredManifest tagged = client.getManifest(registry.hostPort(), "race", "v1-soci", null);
        assertThat(tagged.digest().toString()).isEqualTo(indexDigests.get(0));
        for (Descriptor d : ImageIndex.parse(tagged.bytes()).manifestList()) {
          StoredManifest m = client.getManifest(registry.hostPort(), "race", d.digest(), null);
          assertThat(m).as("manifest %s is in the registry", d.digest()).isNotNull();
          for (Descriptor blob : ImageManifest.parse(m.bytes()).layers()) {
            assertThat(client.blobExists(registry.hostPort(), "race", blob.parsedDigest())).isTrue();
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
