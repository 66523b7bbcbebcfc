/**
 * HTTP fakes of the AWS APIs the functions call (no real AWS API can run here): ECR
 * {@code GetAuthorizationToken}, EventBridge {@code PutEvents} and Lambda {@code Invoke} in one server
 * ({@link dev.socibuilder.testing.aws.FakeAwsApi}), and Lambda {@code Invoke} alone with failure injection
 * ({@link dev.socibuilder.testing.aws.FakeLambdaApi}), and the S3 object API with failure injection
 * ({@link dev.socibuilder.testing.aws.FakeS3}). The SDK clients under test reach them through their
 * endpoint override, so requests go through the SDK's real marshalling.
 */
package dev.socibuilder.testing.aws;
