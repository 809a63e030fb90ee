"""One message per failure, never a wall of red: the guard every tab's events run through, and progress
reporting for handlers that know no gradio."""

from __future__ import annotations

import functools
import logging
import traceback
import uuid
from collections.abc import Callable
from typing import Any

import gradio as gr
from gradio.context import LocalContext

from ...validation import InputError, MissingInput
from .slider import EMPTY, Clamped

log = logging.getLogger("difflab.app")


def from_the_page() -> bool:
    """True when the running event came from the app's own page (its client sends `x-gradio-user: app`),
    False for gradio_client / REST callers (`api`) and for direct calls without a request."""
    request = LocalContext.request.get(None)
    headers = getattr(request, "headers", None) or {}
    return headers.get("x-gradio-user") == "app"


def refuse(message: str, title: str) -> Any:
    """Stop an event with one message. On the page: one warning toast and every output left as it is
    (a raised gr.Error would put an error badge on each output of the event). For API callers: an error."""
    if from_the_page():
        gr.Warning(message, duration=12, title=title)
        return gr.skip()
    raise gr.Error(message, duration=8, print_exception=False)


def guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """One message per failure, never a wall of red: a slider value typed outside its range is computed
    at the nearest end with one warning (see widgets/slider.py); a missing choice (no file yet) is a hint and
    leaves the outputs as they are; a user mistake is one message and one log line; an internal error
    logs its traceback under an id and shows the user one line with that id (see `refuse`)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        typed = [*args, *kwargs.values()]
        if any(v is EMPTY for v in typed):
            return gr.skip()  # an emptied slider box: still typing
        clamped = [v for v in typed if isinstance(v, Clamped)]
        if clamped:
            log.info("slider value clamped in %s: %s", fn.__name__, clamped[0].message())
            if not from_the_page():
                raise gr.Error("; ".join(c.refusal() for c in clamped), duration=8, print_exception=False)
            gr.Warning(" ".join(c.message() for c in clamped), duration=12, title="Out of range")
            args = tuple(float(a) if isinstance(a, Clamped) else a for a in args)
            kwargs = {k: float(v) if isinstance(v, Clamped) else v for k, v in kwargs.items()}
        try:
            return fn(*args, **kwargs)
        except gr.Error as e:
            if not from_the_page():
                raise
            return refuse(str(e.message), "Error")
        except MissingInput as e:
            gr.Info(str(e))
            return gr.skip()
        except InputError as e:
            log.info("input refused by %s: %s", fn.__name__, e)
            return refuse(str(e), "Input refused")
        except Exception as e:  # noqa: BLE001 - the server must keep serving
            eid = uuid.uuid4().hex[:8]
            log.error("internal error %s in %s:\n%s", eid, fn.__name__, traceback.format_exc())
            return refuse(
                f"internal error {eid} in {fn.__name__} ({type(e).__name__}); the server log "
                f"has the details under this id",
                "Internal error",
            )

    return wrapper


def reporter(progress: Any) -> Callable[[float, str], None]:
    """A gr.Progress as the handlers' `progress(fraction, text)` callback (handlers know no gradio)."""
    return lambda frac, text: progress(frac, desc=text)
