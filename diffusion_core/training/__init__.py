"""Training (layer 7): the one loop `fit(run, net, objective)` (`loop`), the objectives as small classes (`loss`:
EDM, Li's pairs, scale space), the UNet presets (`edm`), the Flexi-UNet presets (`scale_space`), Li's chain
weights (`vp_chain`) and the scale-space networks' sample quality (`flexi_quality`)."""
