"""Sampling (layer 7): the one run function and its helpers (`run`: model sigmas, seeded initial noise,
`run_sampler` under the sampling-noise controls, image grids) and Li's pairs x seeds grid (`pair_grid`)."""
