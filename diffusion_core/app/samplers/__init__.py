"""Samplers tab (with the trajectory animation and the pair grid): view dataclass and plain handlers (no gradio) beside layout.py (controls and events)."""
