/**
 * The OCI distribution client: {@link dev.socibuilder.registry.RegistryClient} (manifests, blobs,
 * referrers; anonymous, basic and bearer-token auth; retries, resumable verified blob downloads),
 * image references, and credentials from Docker config files and Amazon ECR.
 */
package dev.socibuilder.registry;
