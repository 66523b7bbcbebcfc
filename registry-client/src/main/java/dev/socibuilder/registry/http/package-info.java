/**
 * A small blocking HTTP/1.1 client ({@link dev.socibuilder.registry.http.Http1Client}) for the registry
 * client: response bodies read straight from the socket in the reader's thread, a time limit on every
 * read as a socket timeout, kept-alive connections per origin, TLS and HTTP proxies. Depends on nothing
 * else in the project.
 */
package dev.socibuilder.registry.http;
