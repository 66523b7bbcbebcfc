package dev.socibuilder.indexer.lambda;

/**
 * What the indexer is asked to index: the filter's asynchronous invoke payload,
 * {@code {"registry":"<account>.dkr.ecr.<region>.amazonaws.com[.cn]","repository":"...",
 * "digest":"sha256:...","tag":"..."|null,"mediaType":"..."}}.
 *
 * <p>A mutable JavaBean on purpose: the Lambda Java runtime deserializes a handler's POJO input with its
 * own (shaded) Jackson through the no-argument constructor and the setters, and ignores unknown
 * properties. Nothing is validated here; {@link IndexerService} validates and reports a bad request.
 */
public final class IndexerRequest {

  private String registry;
  private String repository;
  private String digest;
  private String tag;
  private String mediaType;

  /** An empty request, for the runtime's deserializer. */
  public IndexerRequest() {}

  /** A request with every field (tests, manual invokes from Java). */
  public IndexerRequest(String registry, String repository, String digest, String tag, String mediaType) {
    this.registry = registry;
    this.repository = repository;
    this.digest = digest;
    this.tag = tag;
    this.mediaType = mediaType;
  }

  /** The registry host, {@code <account>.dkr.ecr.<region>.<partition DNS suffix>}. */
  public String getRegistry() {
    return registry;
  }

  public void setRegistry(String registry) {
    this.registry = registry;
  }

  /** The repository name. */
  public String getRepository() {
    return repository;
  }

  public void setRepository(String repository) {
    this.repository = repository;
  }

  /** The pushed manifest's digest: what is indexed, whatever the tag points at by now. */
  public String getDigest() {
    return digest;
  }

  public void setDigest(String digest) {
    this.digest = digest;
  }

  /** The pushed tag, or {@code null} for a push by digest (then the result is not tagged). */
  public String getTag() {
    return tag;
  }

  public void setTag(String tag) {
    this.tag = tag;
  }

  /** The pushed manifest's media type as ECR reported it, or {@code null}; informational only. */
  public String getMediaType() {
    return mediaType;
  }

  public void setMediaType(String mediaType) {
    this.mediaType = mediaType;
  }

  @Override
  public String toString() {
    return "IndexerRequest[registry=" + registry + ", repository=" + repository + ", digest=" + digest
        + ", tag=" + tag + ", mediaType=" + mediaType + "]";
  }
}
