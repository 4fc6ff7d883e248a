// Training: the training loop, checkpoints and metrics.
