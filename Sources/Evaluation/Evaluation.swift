// Evaluation: metrics, bootstrap intervals, experiments and reports.
