/**
 * Test harness shared through the lambda-indexer test-jar: a real Distribution registry
 * ({@link dev.socibuilder.registry.testing.RegistryServer}, anonymous, htpasswd or JWT token auth),
 * a fault-injecting reverse proxy ({@link dev.socibuilder.registry.testing.FaultProxy}), skopeo
 * ({@link dev.socibuilder.registry.testing.Skopeo}) and OCI layouts with real gzip/zstd layers
 * ({@link dev.socibuilder.registry.testing.TestImages}).
 */
package dev.socibuilder.registry.testing;
