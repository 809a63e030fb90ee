"""Image power spectra, the min/max noise bounds they imply and tight schedules
(Esteves & Makadia, *Spectrally-Guided Diffusion Noise Schedules*, arXiv 2603.19222)."""
