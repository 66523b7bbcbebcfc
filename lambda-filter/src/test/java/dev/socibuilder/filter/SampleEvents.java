package dev.socibuilder.filter;

import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The sample events of {@code events/} as the filter handler receives them: deserialized by
 * aws-lambda-java-serialization's JacksonFactory into the handler's input type, as the Lambda Java runtime does
 * for a handler whose input is not one of the aws-lambda-java-events classes.
 */
public final class SampleEvents {

  private SampleEvents() {}

  /** The file {@code events/<file>} as text. */
  public static String json(String file) {
    try (InputStream in = SampleEvents.class.getClassLoader().getResourceAsStream("events/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("events/" + file + " is not on the test class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file {@code events/<file>}, deserialized as the runtime does. */
  public static Map<String, Object> event(String file) {
    return deserialize(json(file));
  }

  /** {@code json} deserialized into the filter handler's input type, as the runtime does. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> deserialize(String json) {
    Type input = ((ParameterizedType) FilterHandler.class.getGenericInterfaces()[0]).getActualTypeArguments()[0];
    PojoSerializer<Object> serializer = JacksonFactory.getInstance().getSerializer(input);
    return (Map<String, Object>) serializer.fromJson(json);
  }

  /** The {@code detail} object of a deserialized event, to edit. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> detail(Map<String, Object> event) {
    return (Map<String, Object>) event.get("detail");
  }
}
