package dev.socibuilder.indexer.lambda;

/**
 * The indexer's {@code JAVA_TOOL_OPTIONS} as the stack sets them ({@code SociIndexBuilder.INDEXER_JAVA_TOOL_OPTIONS}
 * in module infra, which this module does not depend on), for the tests and benchmarks that run the packaged jar
 * as the stack deploys it.
 */
public final class StackJvmOptions {
  /** C2 on, and JSSE's AES-GCM callers compiled after a twentieth of the usual invocations (quietly). */
  public static final String INDEXER = "-XX:+TieredCompilation -XX:TieredStopAtLevel=4"
      + " -XX:CompileCommand=quiet -XX:CompileCommand=CompileThresholdScaling,com.sun.crypto.provider.*::*,0.05";

  private StackJvmOptions() {}
}
