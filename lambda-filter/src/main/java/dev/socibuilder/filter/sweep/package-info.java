/**
 * The sweep Lambda: finds the images already in ECR that the filters select and that have no SOCI index
 * yet, and sends each to the indexer with the same asynchronous request the filter sends for a push. It
 * runs on a schedule and after each deployment, paces its invokes so that the indexer's reserved
 * concurrency is not flooded, and carries a cursor from one run to the next (re-invoking itself) when a
 * registry is too large for one run. {@link dev.socibuilder.filter.sweep.SweepHandler} is the handler,
 * {@link dev.socibuilder.filter.sweep.SweepService} the logic.
 */
package dev.socibuilder.filter.sweep;
