/**
 * The Lambda runtime, for tests: a local Lambda Runtime API
 * ({@link dev.socibuilder.testing.lambda.LambdaRuntimeApiServer}), a runner that starts a packaged function
 * jar under the real runtime interface client ({@link dev.socibuilder.testing.lambda.LambdaJarRunner}), and
 * a {@link com.amazonaws.services.lambda.runtime.Context} for direct handler calls
 * ({@link dev.socibuilder.testing.lambda.TestContext}).
 */
package dev.socibuilder.testing.lambda;
