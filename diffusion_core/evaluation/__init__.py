"""Evaluation (layer 5): sample metrics (`metrics`), exact output covariances of the linear samplers (`exact`),
a trained denoiser against the exact Wiener filter (`denoising`) and the truth objects every model's samples are
scored against (`truth`)."""
