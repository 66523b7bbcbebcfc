/**
 * Registry test harness (test-support, used by every module's tests): a real Distribution registry
 * ({@link dev.socibuilder.testing.registry.RegistryServer}, anonymous, htpasswd or JWT token auth),
 * a fault-injecting reverse proxy ({@link dev.socibuilder.testing.registry.FaultProxy}), a malicious
 * registry on raw sockets ({@link dev.socibuilder.testing.registry.HostileRegistry}), skopeo
 * ({@link dev.socibuilder.testing.registry.Skopeo}) and OCI layouts with real gzip/zstd layers
 * ({@link dev.socibuilder.testing.registry.TestImages}).
 */
package dev.socibuilder.testing.registry;
