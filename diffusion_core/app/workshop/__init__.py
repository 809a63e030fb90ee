"""Workshop tab: view dataclass and plain handlers (no gradio) beside layout.py (controls and events)."""
