// GradCAM: class-activation maps from gradient queries.
