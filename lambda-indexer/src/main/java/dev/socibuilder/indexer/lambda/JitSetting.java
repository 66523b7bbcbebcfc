package dev.socibuilder.indexer.lambda;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * What HotSpot's JIT compiles this JVM's hot code with. Lambda's Java runtimes stop tiered compilation at C1
 * ({@code -XX:TieredStopAtLevel=1}) unless the function's {@code JAVA_TOOL_OPTIONS} says otherwise; C1 code has
 * none of HotSpot's AES, GHASH and SHA-256 intrinsics and slower decode loops, so a large layer indexes about
 * twice as slowly (bench/RESULTS.md, "The indexer's JIT"). The stack sets the options; this is what took effect.
 *
 * @param tieredCompilation {@code -XX:TieredCompilation}
 * @param stopAtLevel {@code -XX:TieredStopAtLevel}: 0 the interpreter, 1–3 C1, 4 C2
 */
record JitSetting(boolean tieredCompilation, int stopAtLevel) {

  /** The options that turn C2 on (SociIndexBuilder.INDEXER_JAVA_TOOL_OPTIONS starts with them). */
  static final String C2_JAVA_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=4";

  /** This JVM's setting, or null where HotSpot's diagnostic bean is not there (another VM, a trimmed runtime). */
  static JitSetting current() {
    try {
      HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (hotspot == null) {
        return null;
      }
      return new JitSetting(Boolean.parseBoolean(hotspot.getVMOption("TieredCompilation").getValue()),
          Integer.parseInt(hotspot.getVMOption("TieredStopAtLevel").getValue()));
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }

  /** Whether C2 compiles the hot code: all the tiers, or C2 alone (no tiered compilation). */
  boolean c2() {
    return !tieredCompilation || stopAtLevel >= 4;
  }

  /** {@code C2}, {@code C1 only (TieredStopAtLevel=N)} or {@code interpreter only}. */
  String describe() {
    if (c2()) {
      return "C2";
    }
    return stopAtLevel <= 0 ? "interpreter only" : "C1 only (TieredStopAtLevel=" + stopAtLevel + ")";
  }
}
