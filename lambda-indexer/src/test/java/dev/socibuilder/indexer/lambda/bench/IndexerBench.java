package dev.socibuilder.indexer.lambda.bench;

import dev.socibuilder.indexer.lambda.StackJvmOptions;
import dev.socibuilder.testing.aws.FakeAwsApi;
import dev.socibuilder.testing.registry.RegistryServer;
import dev.socibuilder.testing.registry.TestImages;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.DoubleStream;

/** What the benchmarks of the packaged indexer share: its handler, environment and requests. */
final class IndexerBench {

  static final String HANDLER = "dev.socibuilder.indexer.lambda.IndexerHandler::handleRequest";
  static final String ACCOUNT = "123456789012";
  static final String ECR_HOST = ACCOUNT + ".dkr.ecr.us-west-2.amazonaws.com";

  private IndexerBench() {}

  /**
   * The indexer's environment as the stack sets it (with {@code spanSize}), its AWS endpoints at the fakes and
   * its registry traffic at {@code registry}.
   */
  static Map<String, String> environment(FakeAwsApi aws, RegistryServer registry, long spanSize) {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_REGION", "us-west-2");
    env.put("SOCI_INDEX_VERSION", "V2");
    env.put("SPAN_SIZE_BYTES", Long.toString(spanSize));
    env.put("MIN_LAYER_SIZE_BYTES", "65536");
    env.put("SOCI_TAG_SUFFIX", "-soci");
    env.put("RESULT_EVENT_BUS_NAME", "default");
    env.put("JAVA_TOOL_OPTIONS", StackJvmOptions.INDEXER);
    env.put("AWS_ENDPOINT_URL_ECR", aws.endpoint().toString());
    env.put("AWS_ENDPOINT_URL_EVENTBRIDGE", aws.endpoint().toString());
    env.put("REGISTRY_ENDPOINT_OVERRIDE", registry.scheme() + "://" + registry.hostPort());
    return env;
  }

  /** The median of {@code values} (of an even count: the mean of the middle two). */
  static double median(DoubleStream values) {
    double[] v = values.sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** The filter's request to index {@code repository@digest} (tag v1, an OCI manifest) of the fake ECR host. */
  static String request(String repository, String digest) {
    return "{\"registry\":\"" + ECR_HOST + "\",\"repository\":\"" + repository + "\",\"digest\":\"" + digest
        + "\",\"tag\":\"v1\",\"mediaType\":\"" + TestImages.OCI_MANIFEST + "\"}";
  }
}
