/**
 * The shared table of filter cases ({@link dev.socibuilder.testing.filters.FilterCases}): one list of what a
 * filter list selects and what the indexer's IAM grant must cover, checked by the filter rules, the filter Lambda
 * and the stack.
 */
package dev.socibuilder.testing.filters;
