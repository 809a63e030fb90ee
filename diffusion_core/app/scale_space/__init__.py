"""Scale space tab (with the Flexi-UNet comparison): view dataclass and plain handlers (no gradio) beside layout.py (controls and events)."""
