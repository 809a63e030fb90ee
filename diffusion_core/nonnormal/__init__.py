"""Non-normal increments: unit-variance increment laws, structured random walks and the per-step
losses each (q, p) pair implies (Li, *Non-Normal Diffusion Models*, arXiv 2412.07935)."""
