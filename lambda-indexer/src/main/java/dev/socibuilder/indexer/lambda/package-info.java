/**
 * The indexer Lambda function: a short adapter ({@link dev.socibuilder.indexer.lambda.IndexerHandler})
 * over {@link dev.socibuilder.indexer.IndexingService}, with ECR credentials from
 * {@code GetAuthorizationToken}, configuration from the environment
 * ({@link dev.socibuilder.indexer.lambda.IndexerConfig}), structured JSON logs and one result event per
 * request on EventBridge (source {@code soci-index-builder}, detail-type {@code SOCI Index Result}).
 *
 * <p>Test hook: {@code REGISTRY_ENDPOINT_OVERRIDE=http://127.0.0.1:<port>} sends the registry traffic for
 * the requested ECR host to a local registry instead; credentials still come from
 * {@code GetAuthorizationToken} (point {@code AWS_ENDPOINT_URL_ECR} at a fake). Only loopback addresses are
 * accepted, since the ECR token is sent there. Never set it in a deployed
 * function: the stack does not.
 */
package dev.socibuilder.indexer.lambda;
