// Autodiff: reverse-mode differentiation on the graph.
