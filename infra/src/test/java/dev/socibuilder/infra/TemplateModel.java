package dev.socibuilder.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A synthesized template as JSON maps, with the look-ups the infra tests share and an evaluation of its values
 * for given parameter values ({@link CfnEvaluator}). Test-only.
 */
final class TemplateModel {

  private final Map<String, Object> json;
  private final String stackName;

  TemplateModel(Map<String, Object> json, String stackName) {
    this.json = json;
    this.stackName = stackName;
  }

  Map<String, Object> json() {
    return json;
  }

  Map<String, Object> resources() {
    return map(json.get("Resources"));
  }

  Map<String, Object> parameters() {
    return json.get("Parameters") == null ? Map.of() : map(json.get("Parameters"));
  }

  Map<String, Object> conditions() {
    return json.get("Conditions") == null ? Map.of() : map(json.get("Conditions"));
  }

  Map<String, Object> resource(String logicalId) {
    Object r = resources().get(logicalId);
    assertThat(r).as("resource %s", logicalId).isNotNull();
    return map(r);
  }

  Map<String, Object> properties(String logicalId) {
    return properties(resource(logicalId));
  }

  static Map<String, Object> properties(Map<String, Object> resource) {
    Object p = resource.get("Properties");
    return p == null ? Map.of() : map(p);
  }

  String type(String logicalId) {
    return resource(logicalId).get("Type").toString();
  }

  List<String> ofType(String type) {
    return resources().entrySet().stream()
        .filter(e -> map(e.getValue()).get("Type").equals(type))
        .map(Map.Entry::getKey)
        .toList();
  }

  String onlyOfType(String type) {
    return onlyElement(ofType(type));
  }

  /** The function with this handler. */
  String function(String handler) {
    return onlyElement(ofType("AWS::Lambda::Function").stream()
        .filter(id -> handler.equals(properties(id).get("Handler")))
        .toList());
  }

  /** The resource of this type whose FunctionName is {@code functionName} (e.g. {@code {Ref: fn}}). */
  String ofTypeForFunction(String type, Object functionName) {
    return onlyElement(ofType(type).stream()
        .filter(id -> functionName.equals(properties(id).get("FunctionName")))
        .toList());
  }

  Map<String, Object> invokeConfigOf(String function) {
    return properties(ofTypeForFunction("AWS::Lambda::EventInvokeConfig", Map.of("Ref", function)));
  }

  Map<String, Object> environment(String function) {
    return map(map(properties(function).get("Environment")).get("Variables"));
  }

  String roleOf(String function) {
    return list(map(properties(function).get("Role")).get("Fn::GetAtt")).get(0).toString();
  }

  String logGroupOf(String function) {
    return map(map(properties(function).get("LoggingConfig")).get("LogGroup")).get("Ref").toString();
  }

  List<Map<String, Object>> statementsOf(String role) {
    List<Map<String, Object>> statements = new ArrayList<>();
    for (String policy : ofType("AWS::IAM::Policy")) {
      if (list(properties(policy).get("Roles")).contains(Map.of("Ref", role))) {
        list(map(properties(policy).get("PolicyDocument")).get("Statement")).forEach(s -> statements.add(map(s)));
      }
    }
    return statements;
  }

  List<Map<String, Object>> allStatements() {
    List<Map<String, Object>> statements = new ArrayList<>();
    for (String policy : ofType("AWS::IAM::Policy")) {
      list(map(properties(policy).get("PolicyDocument")).get("Statement")).forEach(s -> statements.add(map(s)));
    }
    for (String role : ofType("AWS::IAM::Role")) {
      assertThat(properties(role).get("Policies")).as("inline Policies on role %s are not inspected", role).isNull();
    }
    return statements;
  }

  static Map<String, Object> statementWith(List<Map<String, Object>> statements, String action) {
    return onlyElement(statements.stream().filter(s -> strings(s.get("Action")).contains(action)).toList());
  }

  /** Every parameter a node refers to with {@code Ref}, anywhere inside it. */
  Set<String> parameterRefs(Object node) {
    Set<String> refs = new LinkedHashSet<>();
    collectRefs(node, refs);
    refs.retainAll(parameters().keySet());
    return refs;
  }

  private static void collectRefs(Object node, Set<String> refs) {
    if (node instanceof Map<?, ?> m) {
      if (m.size() == 1 && m.containsKey("Ref")) {
        refs.add(m.get("Ref").toString());
      }
      m.values().forEach(v -> collectRefs(v, refs));
    } else if (node instanceof List<?> l) {
      l.forEach(v -> collectRefs(v, refs));
    }
  }

  /** The template's values as deployed with these parameter values (the others at their defaults). */
  CfnEvaluator deployed(Map<String, String> parameterValues) {
    Map<String, String> values = new HashMap<>();
    parameters().forEach((name, p) -> {
      Object def = map(p).get("Default");
      if (def != null) {
        values.put(name, def.toString());
      }
    });
    values.putAll(parameterValues);
    return new CfnEvaluator(values, this::refOf, conditions());
  }

  /** What Ref (or Fn::GetAtt "Logical.Attr") returns, per the CloudFormation resource reference. */
  String refOf(String reference) {
    if (reference.equals("AWS::StackId")) {
      return stackId();
    }
    String[] parts = reference.split("\\.", 2);
    String logicalId = parts[0];
    String attribute = parts.length > 1 ? parts[1] : null;
    String type = type(logicalId);
    String physical = physicalName(logicalId);
    String region = CfnEvaluator.REGION;
    String account = CfnEvaluator.ACCOUNT;
    switch (type) {
      case "AWS::Lambda::Function":
        return attribute == null ? physical : "arn:aws:lambda:" + region + ":" + account + ":function:" + physical;
      case "AWS::SQS::Queue":
        return attribute == null ? "https://sqs." + region + ".amazonaws.com/" + account + "/" + physical
            : "arn:aws:sqs:" + region + ":" + account + ":" + physical;
      case "AWS::SNS::Topic":
        return "arn:aws:sns:" + region + ":" + account + ":" + physical;
      case "AWS::Events::Rule":
        return "arn:aws:events:" + region + ":" + account + ":rule/" + physical;
      case "AWS::Logs::LogGroup":
        return attribute == null ? physical
            : "arn:aws:logs:" + region + ":" + account + ":log-group:" + physical + ":*";
      case "AWS::S3::Bucket":
        return attribute == null ? physical.toLowerCase(Locale.ROOT)
            : "arn:aws:s3:::" + physical.toLowerCase(Locale.ROOT);
      case "AWS::IAM::Role":
        return attribute == null ? physical : "arn:aws:iam::" + account + ":role/" + physical;
      default:
        return attribute == null ? physical : physical + "." + attribute;
    }
  }

  /** What {@code Ref AWS::StackId} returns for the stack deployed under its name. */
  String stackId() {
    return "arn:aws:cloudformation:" + CfnEvaluator.REGION + ":" + CfnEvaluator.ACCOUNT + ":stack/" + stackName
        + "/2f0e6c10-9a1b-11f0-8de9-0a1b2c3d4e5f";
  }

  String physicalName(String logicalId) {
    return stackName + "-" + logicalId + "-ABC123";
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  static List<?> list(Object o) {
    assertThat(o).isInstanceOf(List.class);
    return (List<?>) o;
  }

  static List<String> strings(Object o) {
    if (o instanceof List<?> l) {
      return l.stream().map(Object::toString).toList();
    }
    return List.of(String.valueOf(o));
  }

  static <T> T onlyElement(List<T> items) {
    assertThat(items).hasSize(1);
    return items.get(0);
  }
}
