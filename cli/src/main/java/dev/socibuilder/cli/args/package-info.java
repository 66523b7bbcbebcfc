/**
 * The command line's argument parser and help: commands declare their options and positional parameters as
 * plain data ({@link dev.socibuilder.cli.args.Option}, {@link dev.socibuilder.cli.args.Positional}) and take
 * the values through {@link dev.socibuilder.cli.args.Command#set}; {@link dev.socibuilder.cli.args.Cli} parses,
 * reports usage errors and runs the command, {@link dev.socibuilder.cli.args.Help} writes the help.
 *
 * <p>It replaces an annotation-driven library, keeping its observable behaviour (option forms, messages,
 * exit codes, the help's layout), because that library built its models by reflection over Java 5 class
 * files: about 0.1 s of every short run. Nothing
 * here reflects, spins lambdas or records' generated methods on the way to a command's {@code run}: each of
 * those costs milliseconds of a fresh JVM's start.
 */
package dev.socibuilder.cli.args;
