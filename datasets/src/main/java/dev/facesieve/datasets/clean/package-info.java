/**
 * The cleaning rule, in one place and free of Beam and DJL: scoring a class against its K
 * sub-centres ({@link dev.facesieve.datasets.clean.ClassScorer}), the policies that turn scores
 * into typed {@link dev.facesieve.datasets.clean.DropReason}s ({@link
 * dev.facesieve.datasets.clean.CleaningPolicy}), per-class outcomes ({@link
 * dev.facesieve.datasets.clean.ClassSummary}) and the one implementation of precision, recall, F1
 * and ROC AUC against ground truth ({@link dev.facesieve.datasets.clean.DetectionMetrics}). The
 * Beam stage, the report's threshold sweep and the benchmarks all call these.
 */
package dev.facesieve.datasets.clean;
