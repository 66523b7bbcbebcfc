/**
 * The OCI distribution client. {@link dev.socibuilder.registry.RegistryClient} is the facade (manifests,
 * blobs, referrers); behind it the transport (sending, retries, error bodies, read timeouts) over a small
 * HTTP/1.1 client ({@code registry.http}), the authenticator (basic and bearer-token challenges), blob
 * download (resumable, verified) and blob upload (monolithic or chunked), and header value parsing. Also image references, ECR registry hosts, and
 * credentials from Docker config files and Amazon ECR.
 */
package dev.socibuilder.registry;
