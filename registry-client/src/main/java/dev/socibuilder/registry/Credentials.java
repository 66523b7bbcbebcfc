package dev.socibuilder.registry;

import java.util.Objects;

/**
 * A registry user name and password (or ECR's {@code AWS} user and its authorization token), or an
 * identity token: an OAuth 2 refresh token that a registry's token service exchanges for access tokens
 * ({@code docker login} stores one as {@code "identitytoken"}, and credential helpers answer one with the
 * user {@value #IDENTITY_TOKEN_USER}). {@link #toString()} masks the password so that an accidental log line
 * never leaks it.
 */
public record Credentials(String username, String password) {
  /** The user name that marks the password as an identity token (the Docker credential helpers' convention). */
  public static final String IDENTITY_TOKEN_USER = "<token>";

  public Credentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  /** An identity token (an OAuth 2 refresh token for the registry's token service). */
  public static Credentials identityToken(String token) {
    return new Credentials(IDENTITY_TOKEN_USER, token);
  }

  /** Whether the password is an identity token, which only a token service takes (never as Basic). */
  public boolean isIdentityToken() {
    return IDENTITY_TOKEN_USER.equals(username);
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", password=****]";
  }
}
