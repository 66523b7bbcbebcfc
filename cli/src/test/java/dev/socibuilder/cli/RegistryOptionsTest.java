package dev.socibuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socibuilder.cli.args.Cli;
import dev.socibuilder.cli.args.Command;
import dev.socibuilder.cli.args.Help;
import dev.socibuilder.cli.args.UsageException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryOptionsTest {
  private static String read(String stdin) throws Exception {
    return RegistryOptions.readPassword(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void passwordStdinKeepsThePasswordAsGivenDroppingOnlyTheTrailingNewline() throws Exception {
    assertThat(read("s3cret\n")).isEqualTo("s3cret");
    assertThat(read("  spaced out \t\n")).isEqualTo("  spaced out \t");
    assertThat(read("windows\r\n")).isEqualTo("windows");
    assertThat(read("no newline ")).isEqualTo("no newline ");
    assertThat(read("two\nlines\n")).isEqualTo("two\nlines");
    assertThat(read("pässwörd\n\n")).isEqualTo("pässwörd\n");
    assertThat(read("")).isEmpty();
  }

  @Test
  void passwordStdinIsBounded() {
    assertThatThrownBy(() -> read("x".repeat(RegistryOptions.MAX_PASSWORD_BYTES + 1)))
        .isInstanceOf(CliException.class).hasMessageContaining("more than " + RegistryOptions.MAX_PASSWORD_BYTES);
  }

  private static IndexCommand parse(String... args) {
    IndexCommand command = new IndexCommand();
    Cli.parse(command, args);
    return command;
  }

  private static final Map<String, String> ENV = Map.of("SOCI_BUILDER_BLOB_CONNECTIONS", " 8 ");

  @Test
  void blobConnectionsComeFromTheOptionThenTheEnvironmentThenTheDefault() {
    assertThat(parse("oci:x", "--blob-connections", "2").registryOptions.blobConnections(ENV)).isEqualTo(2);
    assertThat(parse("oci:x", "--blob-connections=1").registryOptions.blobConnections(ENV)).isEqualTo(1);
    assertThat(parse("oci:x").registryOptions.blobConnections(ENV)).isEqualTo(8);
    assertThat(parse("oci:x").registryOptions.blobConnections(Map.of())).isEqualTo(4);
    assertThat(parse("oci:x").registryOptions.blobConnections(Map.of("SOCI_BUILDER_BLOB_CONNECTIONS", " ")))
        .isEqualTo(4);
  }

  @Test
  void blobConnectionsOutOfRangeAreAUsageError() {
    IndexCommand command = parse("oci:x", "--blob-connections", "17");

    assertThatThrownBy(() -> command.registryOptions.validate())
        .isInstanceOf(UsageException.class)
        .hasMessage("--blob-connections must be 1 to 16, got 17");
    assertThatThrownBy(() -> parse("oci:x", "--blob-connections", "many"))
        .isInstanceOf(UsageException.class)
        .hasMessage("Invalid value for option '--blob-connections': 'many' is not an int");
  }

  @Test
  void anInvalidBlobConnectionsVariableNamesTheVariable() {
    assertThatThrownBy(() -> parse("oci:x").registryOptions.blobConnections(Map.of("SOCI_BUILDER_BLOB_CONNECTIONS", "0")))
        .isInstanceOf(CliException.class)
        .hasMessage("$SOCI_BUILDER_BLOB_CONNECTIONS must be a whole number from 1 to 16, got '0'");
    assertThatThrownBy(() -> parse("oci:x").registryOptions.blobConnections(Map.of("SOCI_BUILDER_BLOB_CONNECTIONS", "x")))
        .isInstanceOf(CliException.class).hasMessageContaining("got 'x'");
  }

  @Test
  void everyCommandThatReadsARegistryHasTheOption() {
    for (Command command : new Command[] {new IndexCommand(), new BackfillCommand(), new InspectCommand()}) {
      assertThat(Help.usage(command, "soci-builder " + command.spec().name()))
          .contains("--blob-connections=N").contains("$SOCI_BUILDER_BLOB_CONNECTIONS");
    }
  }
}
