package dev.socibuilder.filter;

import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

/**
 * What the filter asks the indexer to index: the asynchronous invoke payload, serialized as
 * {@code {"registry":...,"repository":...,"digest":...,"tag":...|null,"mediaType":...|null}}.
 *
 * @param registry the registry host, {@code <account>.dkr.ecr.<region>.<partition DNS suffix>}
 * @param repository the repository name
 * @param digest the pushed manifest's digest, e.g. {@code sha256:<64 hex>}
 * @param tag the pushed tag, or {@code null} for a digest-only push
 * @param mediaType the pushed manifest's media type as ECR reported it, or {@code null}
 */
public record IndexRequest(String registry, String repository, String digest, String tag, String mediaType) {

  public IndexRequest {
    if (registry == null || repository == null || digest == null) {
      throw new IllegalArgumentException("registry, repository and digest are required");
    }
  }

  /**
   * The asynchronous invoke payload, {@code {"registry":...,"repository":...,"digest":...,"tag":...,
   * "mediaType":...}} with {@code null} for an absent tag or media type.
   */
  public String toJson() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("registry", registry);
    fields.put("repository", repository);
    fields.put("digest", digest);
    fields.put("tag", tag);
    fields.put("mediaType", mediaType);
    return Json.object(fields);
  }

  /**
   * The private registry host of an account in a region: {@code amazonaws.com} in the commercial
   * partition, {@code amazonaws.com.cn} in China, and so on (taken from the SDK's partition data).
   */
  public static String ecrRegistryHost(String account, String region) {
    String dnsSuffix = PartitionMetadata.of(Region.of(region)).dnsSuffix();
    return account + ".dkr.ecr." + region + "." + dnsSuffix;
  }
}
