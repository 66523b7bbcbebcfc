package dev.socibuilder.infra;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.Stack;

/**
 * Derives, at deploy time, the ECR repository ARNs the indexer may pull from and push to, from the
 * {@code RepositoryImageTagFilters} parameter value.
 *
 * <p>Why this shape: the filters are a deploy-time parameter, so the ARNs cannot be computed in Java, and
 * CloudFormation has no map or regex-replace over a list (short of the AWS::LanguageExtensions transform or a
 * custom-resource Lambda, both heavier than the problem). What it does have is {@code Fn::Split} and
 * {@code Fn::Select}, which work on a fixed number of list positions. So the number of filters is bounded
 * ({@link StackParameters#MAX_FILTERS}, enforced by the parameter's AllowedPattern) and for each position
 * {@code i}:
 * <pre>
 *   entry_i = Select(i, Split(",", Join(",", [FILTERS x MAX_FILTERS])))
 *   repo_i  = Select(0, Split(":", entry_i))
 *   arn_i   = arn:PARTITION:ecr:REGION:ACCOUNT:repository/repo_i
 * </pre>
 * The value is repeated {@code MAX_FILTERS} times before splitting so that every position exists whatever the
 * number of filters ({@code Fn::Select} past the end fails the deployment); the surplus positions repeat real
 * filters, and IAM accepts duplicate resources. The repository glob goes into the ARN unchanged: IAM resource
 * ARNs take the same {@code *} and {@code ?} wildcards, and IAM's {@code *} also crosses {@code /}, so the grant
 * is never narrower than what the filter matches. The tag part is dropped (ECR authorizes per repository).
 * An exclusion ({@code !repo:tag}) cannot narrow an Allow, and it yields {@code repository/!repo}, which no
 * repository can match because {@code !} is not a valid character of a repository name: only positive filters
 * grant access.
 */
final class RepositoryArns {

  private RepositoryArns() {
  }

  /**
   * @param stack      the stack whose partition, region and account the ARNs name
   * @param filters    the (token of the) comma-separated REPO:TAG filter list
   * @param maxFilters how many list positions to derive an ARN for
   * @return {@code maxFilters} ARN tokens, one per filter position
   */
  static List<String> forFilters(Stack stack, String filters, int maxFilters) {
    String repeated = Fn.join(",", Collections.nCopies(maxFilters, filters));
    List<String> entries = Fn.split(",", repeated, maxFilters);
    List<String> arns = new ArrayList<>(maxFilters);
    for (String entry : entries) {
      String repositoryGlob = Fn.select(0, Fn.split(":", entry));
      arns.add(stack.formatArn(ArnComponents.builder()
          .service("ecr")
          .resource("repository")
          .resourceName(repositoryGlob)
          .build()));
    }
    return arns;
  }
}
