package dev.socibuilder.registry;

import java.util.Objects;

/**
 * A registry user name and password (or ECR's {@code AWS} user and its authorization token).
 * {@link #toString()} masks the password so that an accidental log line never leaks it.
 */
public record Credentials(String username, String password) {
  public Credentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", password=****]";
  }
}
