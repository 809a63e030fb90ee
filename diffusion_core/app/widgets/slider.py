"""Sliders whose number box can take any typed value without a wall of red.

gradio's `Slider.preprocess` raises for a value typed outside [minimum, maximum] (and fails on an emptied
box) before the event's function runs, so every output of the event gets an error badge. This `Slider`
hands such a value to the event as a `Clamped` float (the nearest end of the range, remembering what was
typed) or as `EMPTY`; `guard` (widgets/__init__.py) then computes with the clamped value and says so in one
warning on the page (the slider itself snaps to the same end when the box loses focus), refuses it with
one error for API callers, and leaves the outputs alone for an empty box (the user is still typing).
"""

from __future__ import annotations

from typing import Any

import gradio as gr


class Clamped(float):
    """A slider value typed outside the slider's range, as the nearest end of that range."""

    typed: float
    label: str
    lo: float
    hi: float

    def __new__(cls, typed: float, label: str, lo: float, hi: float) -> Clamped:
        self = super().__new__(cls, min(max(typed, lo), hi))
        self.typed, self.label, self.lo, self.hi = typed, label, lo, hi
        return self

    def message(self) -> str:
        """For the page, which computes at the clamp."""
        return (
            f"{self.label}: {self.typed:g} is outside the slider's range [{self.lo:g}, {self.hi:g}]; "
            f"shown at {float(self):g}. Type a value in the range."
        )

    def refusal(self) -> str:
        """For API callers, who get an error and no computation."""
        return f"{self.label} must be in [{self.lo:g}, {self.hi:g}] (the slider's range), got {self.typed:g}"


class _Empty:
    """An emptied slider box (or a half-typed number such as '-'): nothing to compute yet."""

    def __repr__(self) -> str:
        return "EMPTY"


EMPTY = _Empty()


class Slider(gr.Slider):
    """gr.Slider whose out-of-range or empty typed value reaches `guard` (see the module docstring). A
    subclass, not a patched instance: gradio rebuilds a component from its class when an event updates its
    range (the frame scrubbers), and keeps the class name, so the page draws gradio's own slider. (gradio
    writes a slider.pyi stub beside this file on import; .gitignore leaves it out.)"""

    def preprocess(self, payload: Any) -> Any:
        if payload is None:
            return EMPTY
        value = float(payload)
        if not self.minimum <= value <= self.maximum:
            return Clamped(value, str(self.label or "slider"), float(self.minimum), float(self.maximum))
        return super().preprocess(payload)
