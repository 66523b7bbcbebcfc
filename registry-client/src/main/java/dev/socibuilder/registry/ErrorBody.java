package dev.socibuilder.registry;

import dev.socibuilder.json.JsonException;
import dev.socibuilder.json.JsonParser;
import dev.socibuilder.json.JsonValue;
import dev.socibuilder.json.JsonValue.JsonArray;
import dev.socibuilder.json.JsonValue.JsonObject;
import java.util.List;

/**
 * The error a registry or token service put in a response body: the first of the OCI error body's
 * {@code errors[]} ({@code code}, {@code message}), or an OAuth2 {@code error}/{@code error_description}.
 * Non-JSON bodies give nothing rather than being quoted: they could be anything, and messages must stay
 * clean. What is kept goes through {@link RegistryText#sanitize}: a registry (or a proxy echoing the
 * request) may put terminal escapes, line breaks or the caller's own credentials in its error text.
 *
 * @param code e.g. {@code MANIFEST_UNKNOWN}, or null
 * @param message the registry's explanation, or null
 */
record ErrorBody(String code, String message) {
  static final ErrorBody NONE = new ErrorBody(null, null);

  static ErrorBody parse(byte[] body) {
    try {
      JsonValue json = JsonParser.parse(body);
      if (json instanceof JsonObject o && o.get("errors") instanceof JsonArray array && !array.elements().isEmpty()) {
        List<JsonValue> errors = array.elements();
        String code = RegistryText.sanitize(HeaderValues.stringMember(errors.get(0), "code"));
        String message = RegistryText.sanitize(HeaderValues.stringMember(errors.get(0), "message"));
        if (errors.size() > 1) {
          message = (message == null ? "" : message) + " (and " + (errors.size() - 1) + " more errors)";
        }
        return new ErrorBody(code, message);
      }
      String oauth = HeaderValues.stringMember(json, "error");
      if (oauth != null) {
        return new ErrorBody(RegistryText.sanitize(oauth),
            RegistryText.sanitize(HeaderValues.stringMember(json, "error_description")));
      }
    } catch (JsonException notJson) {
      // fall through
    }
    return NONE;
  }
}
