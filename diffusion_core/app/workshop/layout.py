"""Workshop tab layout: pick an exercise, open its live view, check an answer; with the room's key
(`?teacher=KEY`), the teacher's view of the room.

Every teacher action checks the key of its own request (the page's `?teacher=` travels with each event); the
room (answers, releases, the room's address) lives in SQLite (room.py), never in this process. A student sees
their own verdicts only; an answer is shown to students once the teacher has released that exercise.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import gradio as gr

from ...validation import InputError
from ..widgets import from_the_page, guard, request_url
from . import handlers
from .room import Room, export_csv, summary

STUDENT_POLL_S = 10.0  # how often a student's page asks whether the answer was released
TEACHER_POLL_S = 5.0  # how often the teacher's view refreshes the room's numbers
STATS_HEADERS = ("exercise", "answered", "right", "released", "answers (value ×students)")
LOOPBACK = ("127.", "localhost", "[::1]", "0.0.0.0")


def _params(request: gr.Request | None) -> dict:
    return dict(request.query_params) if request is not None else {}


def is_teacher(room: Room, request: gr.Request | None) -> bool:
    """This request carries the room's key (checked per request, constant time)."""
    return room.is_teacher(_params(request).get("teacher"))


def _require_teacher(room: Room, request: gr.Request | None) -> None:
    if not is_teacher(room, request):
        raise InputError("this needs the teacher's link (?teacher=KEY, printed when the app starts)")


def _loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "").startswith(LOOPBACK) or urlsplit(url).hostname in ("localhost", "::1")


def note_student_address(room: Room, request: gr.Request | None) -> None:
    """Remember the address a student's request came in on (the room's default address); an address on the
    server's own loopback (a projector on the server laptop) never replaces one students reach over the LAN."""
    if request is None or is_teacher(room, request):
        return
    url = request_url(request)
    known = room.setting("student_address")
    if known != url and not (known and _loopback(url) and not _loopback(known)):
        room.set_setting("student_address", url)


def room_address(room: Room, request: gr.Request | None) -> str:
    """The address worksheet links start from: the teacher's setting, else the address students use, else
    the one this request came in on."""
    return room.setting("room_address") or room.setting("student_address") or request_url(request)


def build(page) -> None:
    room: Room = page.room
    titles = list(handlers.exercises())
    gr.Markdown(
        "**For instructors and students.** Each exercise links to a live view of one of the other tabs; "
        "read the number off the plots and check it here. Answers are computed by the app itself, so "
        "they are the same on every laptop, offline. The answer can be shown once your teacher releases it."
    )
    with gr.Column(visible=False, elem_id="teacher-view") as teacher:
        gr.Markdown("### Teacher's view\nThe room live: anonymous counts and answers per exercise.")
        with gr.Row():
            address = gr.Textbox(
                label="Room address for worksheet links (empty: the address students use)",
                placeholder="http://192.168.1.20:7860/",
                scale=3,
            )
            address_btn = gr.Button("Set the room address", scale=1)
        released = gr.CheckboxGroup(titles, label="Answers released to students")
        stats = gr.Dataframe(headers=list(STATS_HEADERS), interactive=False, wrap=True, elem_id="room-stats")
        with gr.Row():
            refresh_btn = gr.Button("Refresh now")
            csv_btn = gr.Button("Export answers as CSV")
            clear_btn = gr.Button("New class: forget all answers", variant="stop")
        room_file = gr.File(label="Answers (CSV)", interactive=False)
        teacher_timer = gr.Timer(TEACHER_POLL_S, active=False)
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            pick = gr.Radio(titles, value=titles[0], label="Exercise")
            sheet_btn = gr.Button("Download the worksheet (Markdown)")
            sheet = gr.File(label="Worksheet", interactive=False)
        with gr.Column(scale=2):
            task = gr.Markdown(handlers.exercise_markdown(titles[0]))
            with gr.Row():
                answer = gr.Textbox(
                    label="Your answer", value="", placeholder="a number, e.g. 2.5", lines=1, max_lines=1
                )
                check_btn = gr.Button("Check", variant="primary")
                reveal_btn = gr.Button("Show the answer", interactive=False, elem_id="workshop-reveal")
            verdict = gr.Markdown(elem_id="workshop-verdict")
    student_timer = gr.Timer(STUDENT_POLL_S, active=False)

    # -- students ------------------------------------------------------------------------------------

    def reveal_state(title: str, request: gr.Request):
        """'Show the answer' is enabled once the teacher released this exercise (always for the teacher)."""
        return gr.Button(interactive=is_teacher(room, request) or room.is_released(title))

    def check(title: str, value: str, request: gr.Request) -> str:
        """The verdict, and the answer recorded for the teacher (anonymous). A text that is no number replaces
        the last verdict on the page (an old "Right:" must not stay on screen) and is an error for API callers."""
        try:
            v, right, text = handlers.grade(title, value)
        except InputError as e:
            if from_the_page():
                return f"**Not checked:** {e}."
            raise
        if not is_teacher(room, request):
            room.record(title, request.session_hash or "anonymous", v, right)
            note_student_address(room, request)
        return text

    def reveal(title: str, request: gr.Request) -> str:
        if not (is_teacher(room, request) or room.is_released(title)):
            raise InputError("the answer to this exercise is not released yet: your teacher releases it")
        return handlers.reveal(title)

    def worksheet(request: gr.Request):
        """The worksheet with links absolute from the room's address."""
        return handlers.worksheet(room_address(room, request))

    # -- the teacher ---------------------------------------------------------------------------------

    def room_view(request: gr.Request):
        _require_teacher(room, request)
        return summary(room, titles), room.released()

    def open_tab(title: str, request: gr.Request):
        """The tab's first opening: the teacher's view for the key's holder, the release poll for everyone."""
        note_student_address(room, request)
        teaching = is_teacher(room, request)
        return (
            gr.Column(visible=teaching),
            gr.Timer(active=teaching),
            gr.Timer(active=True),
            summary(room, titles) if teaching else gr.skip(),
            room.released() if teaching else gr.skip(),
            (room.setting("room_address") or "") if teaching else gr.skip(),
            reveal_state(title, request),
        )

    def set_released(chosen: list[str], request: gr.Request):
        _require_teacher(room, request)
        room.set_released([t for t in chosen if t in handlers.exercises()])
        return summary(room, titles)

    def set_address(url: str, request: gr.Request) -> str:
        _require_teacher(room, request)
        url = (url or "").strip()
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise InputError(f"the room address must look like http://HOST:PORT/, got {url!r}")
        url = url if not url or url.endswith("/") else url + "/"
        room.set_setting("room_address", url)
        gr.Info(f"Worksheet links now start at {url or room_address(room, request)}")
        return url

    def export(request: gr.Request):
        _require_teacher(room, request)
        return str(export_csv(room))

    def clear(request: gr.Request):
        _require_teacher(room, request)
        room.clear()
        return summary(room, titles), []

    private = dict(api_visibility="private", show_progress="hidden")
    page.load(
        guard(open_tab), pick, [teacher, teacher_timer, student_timer, stats, released, address, reveal_btn], **private
    )
    pick.change(guard(handlers.exercise_markdown), pick, task, api_name="workshop_exercise").then(
        lambda: ("", ""), None, [verdict, answer], api_visibility="private"
    ).then(guard(reveal_state), pick, reveal_btn, **private)
    student_timer.tick(guard(reveal_state), pick, reveal_btn, queue=False, **private)
    check_btn.click(guard(check), [pick, answer], verdict, api_name="workshop_check")
    answer.submit(guard(check), [pick, answer], verdict, **private)
    reveal_btn.click(guard(reveal), pick, verdict, api_name="workshop_reveal")
    sheet_btn.click(guard(worksheet), None, sheet, api_name="workshop_sheet")
    gr.on([refresh_btn.click, teacher_timer.tick], guard(room_view), None, [stats, released], queue=False, **private)
    released.input(guard(set_released), released, stats, **private).then(
        guard(reveal_state), pick, reveal_btn, **private
    )
    gr.on([address_btn.click, address.submit], guard(set_address), address, address, **private)
    csv_btn.click(guard(export), None, room_file, **private)
    clear_btn.click(guard(clear), None, [stats, released], **private)
