package dev.socibuilder.infra;

import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.RoleProps;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.FunctionProps;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SystemLogLevel;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.LogGroupProps;
import software.constructs.Construct;

/**
 * What every function of a {@link SociIndexBuilder} is made of: its own role, its own log group, and the Java 25
 * managed runtime on arm64 with JSON logs. The resources are created in the scope given, so that moving code here
 * changes no logical id.
 */
final class JavaFunctions {

  private JavaFunctions() {}

  /**
   * A role Lambda may assume, with no policy yet. Own roles instead of CDK's default: no
   * AWSLambdaBasicExecutionRole (logs:* on every log group), only write access to the function's own log group.
   */
  static Role role(Construct scope, String id, String description) {
    return new Role(scope, id, RoleProps.builder()
        .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
        .description(description)
        .build());
  }

  /** A function's own log group, kept and removed as the props say. */
  static LogGroup logGroup(Construct scope, String id, SociIndexBuilderProps props) {
    return new LogGroup(scope, id, LogGroupProps.builder()
        .retention(props.logRetention())
        .removalPolicy(props.removalPolicy())
        .build());
  }

  /**
   * The common part of a function's props; grants {@code role} write access to {@code logGroup}.
   *
   * @param jar     the packaged jar, uploaded as-is
   * @param handler {@code class::method}
   */
  static FunctionProps.Builder function(SociIndexBuilderProps props, String jar, String handler, Role role,
      LogGroup logGroup) {
    logGroup.grantWrite(role);
    return FunctionProps.builder()
        .runtime(Runtime.JAVA_25)
        // pure Java: arm64 is cheaper per GB-second at the same speed
        .architecture(Architecture.ARM_64)
        // a jar file is uploaded as-is: no bundling, no Docker at synth time
        .code(Code.fromAsset(jar))
        .handler(handler)
        .role(role)
        .logGroup(logGroup)
        // the functions write JSON lines with timestamp and level, so Lambda applies the level to them
        .loggingFormat(LoggingFormat.JSON)
        .applicationLogLevelV2(props.logLevel())
        .systemLogLevelV2(SystemLogLevel.INFO);
  }
}
