package dev.socibuilder.ztoc.flatbuffers;

/** The bytes are not a well-formed FlatBuffer: an offset, vtable or vector points outside it. */
public final class InvalidFlatBufferException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidFlatBufferException(String message) {
    super(message);
  }
}
