package dev.socibuilder.json;

/** A value that writes itself as Go's {@code encoding/json} would marshal the matching Go struct. */
public interface GoJsonValue {
  /** Writes this value, in Go's field order and omitempty rules, to {@code w}. */
  void writeTo(GoJsonWriter w);

  /** {@code json.Marshal} of this value: the exact bytes Go would produce. */
  default byte[] toJson() {
    GoJsonWriter w = new GoJsonWriter();
    writeTo(w);
    return w.toByteArray();
  }
}
