"""Shared noise machinery: logSNR schedules u -> lam, their discretization into N steps,
EDM parameterization (c_skip, c_out, c_in, c_noise) and the k-diffusion-style samplers."""
