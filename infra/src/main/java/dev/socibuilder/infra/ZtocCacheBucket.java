package dev.socibuilder.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.PolicyStatementProps;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.BucketProps;
import software.amazon.awscdk.services.s3.CfnBucket;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The indexer's zTOC cache: an S3 bucket shared by every repository of the account, so that a layer indexed once
 * is not indexed again in another image or repository. Entries are objects {@value #PREFIX}{@code <sha256>}; the
 * indexer reads and writes them only under that prefix ({@code ZTOC_CACHE_BUCKET}, {@code ZTOC_CACHE_PREFIX}).
 *
 * <p>S3-managed encryption, TLS only, no public access, ACLs disabled, not versioned (an entry is derived data that
 * the indexer can always build again, and it verifies every entry before use). A lifecycle rule expires entries a
 * number of days after they were last written; the indexer rewrites an entry it reuses once it is more than a day
 * old, so the days count from its last use.
 */
final class ZtocCacheBucket extends Construct {

  /** The key prefix of the entries: what the indexer is told and the lifecycle rule and grant are scoped to. */
  static final String PREFIX = "ztoc/";
  /** Entry objects' actions (read, store or renew, delete a bad entry). */
  static final List<String> ENTRY_ACTIONS = List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject");

  private final Bucket bucket;

  /**
   * @param days          expire an entry this many days after its last write (a whole number, or a token)
   * @param removalPolicy what happens to the bucket when it leaves the stack; DESTROY empties it first
   */
  ZtocCacheBucket(Construct scope, String id, Number days, RemovalPolicy removalPolicy) {
    super(scope, id);
    boolean destroy = removalPolicy == RemovalPolicy.DESTROY;
    bucket = new Bucket(this, "Bucket", BucketProps.builder()
        .encryption(BucketEncryption.S3_MANAGED)
        .enforceSsl(true)
        .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
        .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
        .versioned(false)
        .lifecycleRules(List.of(LifecycleRule.builder()
            .id("ExpireUnusedZtocs")
            .prefix(PREFIX)
            .expiration(Duration.days(days))
            .abortIncompleteMultipartUploadAfter(Duration.days(1))
            .build()))
        .removalPolicy(removalPolicy)
        // A bucket with objects cannot be deleted: DESTROY means emptying it first (CDK's custom resource).
        .autoDeleteObjects(destroy)
        .build());
    NagSuppressions.addResourceSuppressions(bucket, List.of(NagPackSuppression.builder()
        .id("AwsSolutions-S1")
        .reason("The bucket holds a cache of derived, non-sensitive data: zTOCs (tables of contents of image"
            + " layers the indexer may read anyway), written and read only by the indexer's role, which any"
            + " indexing run can rebuild. Server access logs would need a second bucket per deployment and log"
            + " every cache lookup; CloudTrail data events can be enabled on the bucket where an audit trail is"
            + " required.")
        .build()));
    if (destroy) {
      suppressAutoDeleteProviderFindings(scope);
    }
  }

  /**
   * Lets {@code role} use the cache: the entry actions on {@value #PREFIX}{@code *} only, and {@code s3:ListBucket}
   * on the bucket, without which S3 answers a missing entry with 403 instead of 404 (read as "cache unavailable").
   * Explicit statements rather than {@code grantReadWrite}, which would add more actions on every key.
   */
  void grantTo(Role role) {
    role.addToPolicy(new PolicyStatement(PolicyStatementProps.builder()
        .sid("ZtocCacheEntries")
        .effect(Effect.ALLOW)
        .actions(ENTRY_ACTIONS)
        .resources(List.of(bucket.arnForObjects(PREFIX + "*")))
        .build()));
    role.addToPolicy(new PolicyStatement(PolicyStatementProps.builder()
        .sid("ZtocCacheMissingEntriesAre404")
        .effect(Effect.ALLOW)
        .actions(List.of("s3:ListBucket"))
        .resources(List.of(bucket.getBucketArn()))
        .build()));
  }

  /** The cdk-nag finding string of the entries' resource, for the role's IAM5 suppression. */
  String entriesNagResource() {
    String logicalId = Stack.of(this).resolve(((CfnBucket) bucket.getNode().getDefaultChild()).getLogicalId())
        .toString();
    return "Resource::<" + logicalId + ".Arn>/" + PREFIX + "*";
  }

  /**
   * CDK's auto-delete provider (one per stack, at the stack's root) runs on a Node.js runtime CDK chooses, with the
   * AWS managed basic execution policy; both are CDK's, not this construct's, to change.
   */
  private static void suppressAutoDeleteProviderFindings(Construct scope) {
    // Added to the stack's provider once it exists: the bucket creates it in its constructor.
    Stack stack = Stack.of(scope);
    IConstruct provider = stack.getNode().tryFindChild("Custom::S3AutoDeleteObjectsCustomResourceProvider");
    IConstruct role = provider == null ? null : provider.getNode().tryFindChild("Role");
    if (role == null) {
      return; // another CDK version: cdk-nag then says what to accept
    }
    NagSuppressions.addResourceSuppressions(role, List.of(
        NagPackSuppression.builder()
            .id("AwsSolutions-IAM4")
            .appliesTo(List.of("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                + "AWSLambdaBasicExecutionRole"))
            .reason("CDK's S3 auto-delete provider (autoDeleteObjects, chosen by removal policy DESTROY) writes"
                + " its logs with the AWS managed basic execution policy; CDK creates its role, not this"
                + " construct.")
            .build()));
  }

  Bucket getBucket() {
    return bucket;
  }
}
