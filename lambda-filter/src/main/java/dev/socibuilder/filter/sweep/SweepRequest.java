package dev.socibuilder.filter.sweep;

/**
 * What starts a sweep run: a scheduled or CloudFormation event, or a manual {@code {}}, starts a sweep from the
 * first repository; {@code {"cursor":"..."}} (what a run that ran out of time sends to the next) goes on from
 * there. {@code {"dryRun":true}} logs and returns what would be sent to the indexer and sends nothing.
 *
 * <p>A mutable JavaBean on purpose: the Lambda Java runtime deserializes a handler's POJO input with its own
 * Jackson through the no-argument constructor and the setters, and ignores unknown properties (so any
 * EventBridge event starts a sweep). Validated by {@link SweepService}.
 */
public final class SweepRequest {
  private String cursor;
  private Boolean dryRun;

  /** An empty request (a new sweep), for the runtime's deserializer. */
  public SweepRequest() {}

  public SweepRequest(String cursor, boolean dryRun) {
    this.cursor = cursor;
    this.dryRun = dryRun;
  }

  /** Where a sweep stopped, as the previous run returned it; null to start a new sweep. */
  public String getCursor() {
    return cursor;
  }

  public void setCursor(String cursor) {
    this.cursor = cursor;
  }

  /** Whether to send nothing to the indexer; null means false. */
  public Boolean getDryRun() {
    return dryRun;
  }

  public void setDryRun(Boolean dryRun) {
    this.dryRun = dryRun;
  }

  boolean dryRunRequested() {
    return Boolean.TRUE.equals(dryRun);
  }
}
