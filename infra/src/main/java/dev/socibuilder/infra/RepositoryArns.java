package dev.socibuilder.infra;

import dev.socibuilder.filter.rules.FilterRule;
import dev.socibuilder.filter.rules.FilterRules;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.CfnCondition;
import software.amazon.awscdk.CfnConditionProps;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Token;
import software.constructs.Construct;

/**
 * The ECR repository ARNs the indexer may pull from and push to: what the {@code REPOSITORY:TAG} filter list can
 * select. IAM authorizes per repository and an exclusion cannot narrow an Allow, so a list with at least one
 * positive filter grants the repositories its positive repository globs match (IAM resource ARNs take the same
 * {@code *} and {@code ?} wildcards, and IAM's {@code *} also crosses {@code /}, so the grant is never narrower than
 * what a filter matches; the tag part is dropped), and a list of exclusions only, which starts from {@code *:*},
 * grants every repository of the account and region.
 *
 * <p>A literal list is resolved here, with the same {@link FilterRules} the filter function uses. A deploy-time
 * list (a CloudFormation parameter) cannot be: CloudFormation has no map or regex over a list (short of the
 * AWS::LanguageExtensions transform or a custom-resource Lambda, both heavier than the problem), but it has
 * {@code Fn::Split} and {@code Fn::Select} over a fixed number of list positions, and {@code Fn::Equals} over their
 * results in a condition. So the number of filters is bounded ({@link StackParameters#MAX_FILTERS}, enforced by
 * the parameter's AllowedPattern) and for each position {@code i}:
 * <pre>
 *   entry_i    = Select(i, Split(",", Join(",", [FILTERS x MAX_FILTERS])))
 *   arn_i      = arn:PARTITION:ecr:REGION:ACCOUNT:repository/Select(0, Split(":", entry_i))
 *   positive_i = Select(0, Split("!", entry_i))       -- "" for an exclusion, the entry otherwise
 *   NoPositiveFilter = Equals(Join("", [positive_0 ... positive_n]), "")
 *   Resource   = If(NoPositiveFilter, [arn:...:repository/*], [arn_0 ... arn_n])
 * </pre>
 * The value is repeated {@code MAX_FILTERS} times before splitting so that every position exists whatever the
 * number of filters ({@code Fn::Select} past the end fails the deployment); the surplus positions repeat real
 * filters, and IAM accepts duplicate resources. An exclusion's position yields {@code repository/!repo}, which no
 * repository can match because {@code !} is not a valid character of a repository name.
 */
final class RepositoryArns {

  /** The repository glob that covers every repository. */
  static final String EVERY_REPOSITORY = "*";
  /** How cdk-nag shows a repository ARN of the stack's account and region, up to the repository name. */
  static final String NAG_REPOSITORY_PREFIX =
      "Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/";

  private RepositoryArns() {
  }

  /**
   * The IAM resources for a filter list.
   *
   * @param scope      where the deploy-time condition is created (for an unresolved list)
   * @param filters    the comma-separated filter list, literal or a token
   * @param maxFilters how many list positions a token is split into
   * @return ARNs, or for a token a list token resolving to the {@code Fn::If} above
   * @throws IllegalArgumentException if a literal list is not valid filter syntax
   */
  static List<String> forFilters(Construct scope, String filters, int maxFilters) {
    Stack stack = Stack.of(scope);
    if (!Token.isUnresolved(filters)) {
      return repositoryGlobs(filters).stream().map(glob -> arn(stack, glob)).toList();
    }
    String repeated = Fn.join(",", Collections.nCopies(maxFilters, filters));
    List<String> entries = Fn.split(",", repeated, maxFilters);
    List<String> arns = new ArrayList<>(maxFilters);
    List<String> positives = new ArrayList<>(maxFilters);
    for (String entry : entries) {
      arns.add(arn(stack, Fn.select(0, Fn.split(":", entry))));
      positives.add(Fn.select(0, Fn.split("!", entry)));
    }
    CfnCondition noPositive = new CfnCondition(scope, "NoPositiveFilter", CfnConditionProps.builder()
        .expression(Fn.conditionEquals(Fn.join("", positives), ""))
        .build());
    return Token.asList(Fn.conditionIf(noPositive.getLogicalId(), List.of(arn(stack, EVERY_REPOSITORY)), arns));
  }

  /**
   * The repository globs a literal filter list grants: those of its positive filters, in order and without
   * repeats, or {@value #EVERY_REPOSITORY} when it has none.
   *
   * @throws IllegalArgumentException if the list is not valid filter syntax
   */
  static List<String> repositoryGlobs(String filters) {
    FilterRules rules;
    try {
      rules = FilterRules.parse(filters);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("filters: " + e.getMessage(), e);
    }
    Set<String> globs = new LinkedHashSet<>();
    for (FilterRule rule : rules.rules()) {
      if (!rule.exclude()) {
        globs.add(rule.repository());
      }
    }
    return globs.isEmpty() ? List.of(EVERY_REPOSITORY) : List.copyOf(globs);
  }

  /**
   * The cdk-nag AwsSolutions-IAM5 findings of a grant on {@link #forFilters}, each exactly as cdk-nag shows it,
   * for a suppression that accepts these and nothing else: for a literal list, the ARNs of its globs with a
   * {@code *}; for a deploy-time list, the one {@code Fn::If} whose true branch is {@code repository/*} (a list of
   * exclusions only), matched by a regular expression that also fixes that first branch.
   */
  static List<Object> nagWildcards(String filters) {
    List<Object> wildcards = new ArrayList<>();
    if (Token.isUnresolved(filters)) {
      wildcards.add(RegexAppliesTo.builder()
          .regex("/^Resource::\\{\"Fn::If\":\\[\"[A-Za-z0-9]*NoPositiveFilter[A-Za-z0-9]*\",\\[\\{\"Fn::Join\":"
              + "\\[\"\",\\[\"arn:\",\\{\"Ref\":\"AWS::Partition\"\\},\":ecr:\",\\{\"Ref\":\"AWS::Region\"\\},"
              + "\":\",\\{\"Ref\":\"AWS::AccountId\"\\},\":repository\\/\\*\"\\]\\]\\}\\],/")
          .build());
    } else {
      repositoryGlobs(filters).stream().filter(glob -> glob.contains("*"))
          .forEach(glob -> wildcards.add(NAG_REPOSITORY_PREFIX + glob));
    }
    return wildcards;
  }

  private static String arn(Stack stack, String repositoryGlob) {
    return stack.formatArn(ArnComponents.builder()
        .service("ecr")
        .resource("repository")
        .resourceName(repositoryGlob)
        .build());
  }
}
