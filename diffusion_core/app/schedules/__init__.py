"""Schedules & bounds tab (with the schedule inspector): view dataclass and plain handlers (no gradio) beside layout.py (controls and events)."""
