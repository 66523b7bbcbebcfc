package dev.socibuilder.infra;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Evaluates the CloudFormation intrinsic functions this stack uses (Ref, Fn::Join, Fn::Split, Fn::Select,
 * Fn::GetAtt, Fn::If with the template's conditions: Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition; and
 * {@code AWS::NoValue}) the way CloudFormation does at deploy time, for given parameter values. Test-only: it lets
 * tests check what a deployed value will be, not just which intrinsics the template contains.
 */
final class CfnEvaluator {

  /** What {@code Ref AWS::NoValue} evaluates to: the property (or list element) is left out. */
  static final Object NO_VALUE = new Object() {
    @Override
    public String toString() {
      return "AWS::NoValue";
    }
  };

  static final String PARTITION = "aws";
  static final String REGION = "eu-west-1";
  static final String ACCOUNT = "111122223333";

  private final Map<String, String> parameters;
  private final Function<String, String> resourceRef;
  private final Map<String, Object> conditions;

  /**
   * @param parameters  parameter values by name (Ref of a parameter)
   * @param resourceRef what Ref of a resource logical id (or of {@code AWS::StackId}) returns, and Fn::GetAtt of
   *                    {@code "LogicalId.Attribute"}
   * @param conditions  the template's Conditions section
   */
  CfnEvaluator(Map<String, String> parameters, Function<String, String> resourceRef, Map<String, Object> conditions) {
    this.parameters = parameters;
    this.resourceRef = resourceRef;
    this.conditions = conditions;
  }

  CfnEvaluator(Map<String, String> parameters, Function<String, String> resourceRef) {
    this(parameters, resourceRef, Map.of());
  }

  /** Whether the named condition of the template holds. */
  boolean condition(String name) {
    Object expression = conditions.get(name);
    if (expression == null) {
      throw new IllegalArgumentException("no condition " + name);
    }
    return truth(expression);
  }

  private boolean truth(Object node) {
    if (!(node instanceof Map<?, ?> map) || map.size() != 1) {
      throw new IllegalArgumentException("not a condition function: " + node);
    }
    Map.Entry<?, ?> fn = map.entrySet().iterator().next();
    List<?> args = fn.getValue() instanceof List<?> l ? l : List.of(fn.getValue());
    switch (fn.getKey().toString()) {
      case "Fn::Equals":
        return evaluate(args.get(0)).equals(evaluate(args.get(1)));
      case "Fn::Not":
        return !truth(args.get(0));
      case "Fn::And":
        return args.stream().allMatch(this::truth);
      case "Fn::Or":
        return args.stream().anyMatch(this::truth);
      case "Condition":
        return condition(args.get(0).toString());
      default:
        throw new IllegalArgumentException("unsupported condition function " + fn.getKey());
    }
  }

  /**
   * A string or list (of strings) value, or {@link #NO_VALUE}; throws like a failed deployment on an out-of-range
   * Fn::Select.
   */
  Object evaluate(Object node) {
    if (node instanceof String || node instanceof Number || node instanceof Boolean) {
      return node.toString();
    }
    if (node instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (Object item : list) {
        Object value = evaluate(item);
        if (value != NO_VALUE) {
          out.add(value);
        }
      }
      return out;
    }
    if (!(node instanceof Map<?, ?> map) || map.size() != 1) {
      throw new IllegalArgumentException("not an intrinsic: " + node);
    }
    Map.Entry<?, ?> fn = map.entrySet().iterator().next();
    Object arg = fn.getValue();
    switch (fn.getKey().toString()) {
      case "Ref":
        return ref(arg.toString());
      case "Fn::GetAtt": {
        List<?> args = (List<?>) arg;
        return resourceRef.apply(args.get(0) + "." + args.get(1));
      }
      case "Fn::If": {
        List<?> args = (List<?>) arg;
        return evaluate(condition(args.get(0).toString()) ? args.get(1) : args.get(2));
      }
      case "Fn::Join": {
        List<?> args = (List<?>) arg;
        List<String> parts = strings(evaluate(args.get(1)));
        return String.join(args.get(0).toString(), parts);
      }
      case "Fn::Split": {
        List<?> args = (List<?>) arg;
        String source = string(evaluate(args.get(1)));
        return Arrays.asList(source.split(Pattern.quote(args.get(0).toString()), -1));
      }
      case "Fn::Select": {
        List<?> args = (List<?>) arg;
        int index = Integer.parseInt(string(evaluate(args.get(0))));
        List<String> list = strings(evaluate(args.get(1)));
        if (index < 0 || index >= list.size()) {
          throw new IndexOutOfBoundsException("Fn::Select index " + index + " out of " + list);
        }
        return list.get(index);
      }
      default:
        throw new IllegalArgumentException("unsupported intrinsic " + fn.getKey());
    }
  }

  String evaluateString(Object node) {
    return string(evaluate(node));
  }

  private Object ref(String name) {
    switch (name) {
      case "AWS::Partition":
        return PARTITION;
      case "AWS::Region":
        return REGION;
      case "AWS::AccountId":
        return ACCOUNT;
      case "AWS::NoValue":
        return NO_VALUE;
      default:
        String value = parameters.get(name);
        return value != null ? value : resourceRef.apply(name);
    }
  }

  private static String string(Object value) {
    if (!(value instanceof String s)) {
      throw new IllegalArgumentException("expected a string, got " + value);
    }
    return s;
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object value) {
    if (!(value instanceof List<?>)) {
      throw new IllegalArgumentException("expected a list, got " + value);
    }
    return (List<String>) value;
  }

  /**
   * IAM resource matching: {@code *} matches any run of characters (including {@code /} and none),
   * {@code ?} exactly one; everything else literally, case-sensitively.
   */
  static boolean iamResourceMatches(String pattern, String arn) {
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      if (c == '*') {
        regex.append(".*");
      } else if (c == '?') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(arn).matches();
  }
}
