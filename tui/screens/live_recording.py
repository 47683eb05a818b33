"""The live recording screen: calibration wizard, big angle, gauge, hold timer, reps, sensor status, pain prompts.

It runs a tracker LiveSession on the app's event loop (storage goes through the recorder's
threads, never the UI's) and redraws from the session's snapshot: the big angle and gauge 40 times
a second, counters and status ten, the trace five; one value for everything shown, never one
message per sample. Events (reps, holds, set ends) arrive as messages; the end of a set queues a
pain prompt. `hiptrack record` and the dashboard both open it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Log, Static

from analysis.live_events import Calibrated, LiveEvent, SetEnded
from sensors.source import SampleSource
from tracker import services as services_module
from tracker.domain import Source
from tracker.errors import HiptrackError
from tracker.live_report import describe_event, phase_text
from tracker.live_session import LiveContext, LiveRequest, LiveSession, LiveSnapshot
from tracker.report import motion_words, render_assessment
from tracker.services import Services
from tui.cropped_compositor import CroppedCompositor
from tui.recording import BLUETOOTH, RecordingChoice
from tui.screens.pain_prompt import PainAnswer, PainPromptScreen
from tui.screens.short_recording import SHORT_RECORDING_S, ShortAnswer, ShortRecordingScreen
from tui.widgets.angle_readout import AngleReadout
from tui.widgets.calibration_steps import CalibrationSteps
from tui.widgets.hold_timer import HoldTimer
from tui.widgets.live_trace import LiveTrace
from tui.widgets.range_gauge import RangeGauge
from tui.widgets.rep_counter import RepCounter
from tui.widgets.sensor_status import SensorStatusLines

ANGLE_REDRAW_S = 1 / 40
"""The big angle and its gauge: forty a second. A sample waits for the next redraw, so with redraws T apart
its wait is spread evenly over 0–T and the 95th percentile is 0.95 T plus the work: thirty a second
(T = 33 ms) left SPEC §10's 35 ms p95 at 34–38 ms (benchmarks/bench_load.py), forty gives 25–29 ms for about
the same CPU (the other sensors' decoding dominates). Each repaints only when what it shows changed."""
REDRAW_S = 0.1
"""Counters, timer, small angles, calibration steps and sensor status: ten redraws a second is plenty for
the eye (redrawing everything thirty times a second would double the CPU for nothing)."""
TRACE_REDRAW_S = 0.2
"""The scrolling trace: five frames a second scroll smoothly enough over a 30 s window (one braille
dot is ~0.2 s at 80 columns); a frame is a few NumPy passes (tui/braille.py), about a counter's cost."""


@dataclass
class LiveEventArrived(Message):
    """A calibration step, hold, rep or set end, as it happened (rare: one message each is fine)."""

    event: LiveEvent


def request_from_choice(choice: RecordingChoice) -> LiveRequest:
    """The dashboard's record form choice as a recording request: the Bluetooth sensors assigned on the
    Devices screen, or a simulated sensor speaking `profile`."""
    if choice.profile == BLUETOOTH:
        from tracker import ble_recording  # deferred: bleak loads only when a real sensor is used

        request, _ = ble_recording.live_request(choice.exercise_id, choice.side, dict(choice.sensors),
                                                backends=ble_recording.env_backends())
        return request

    def source() -> SampleSource:
        return services_module.simulated_notification_source(choice.exercise_id, choice.side, choice.seed,
                                                             realtime=True, log=None, profile=choice.profile)

    return LiveRequest(choice.exercise_id, choice.side, source, Source.SIMULATED)


class LiveRecordingScreen(ModalScreen[int | None]):
    """Records as soon as it is shown; dismissed with the session id (None if nothing was stored).

    Modal, so the dashboard's keys (another recording, switching sections) wait until it closes.
    """

    BINDINGS = [
        Binding("s", "stop", "Stop & save"),
        Binding("ctrl+c", "stop", "Stop & save", show=False),
        Binding("p", "pain", "Log pain"),
        Binding("q", "close", "Close"),
        Binding("escape", "close", "Close", show=False),
    ]
    DEFAULT_CSS = """
    LiveRecordingScreen {
        background: $background;
        #live-status { height: 1; padding: 0 1; background: $boost; }
        #live-main { height: 1fr; }
        #live-angle { width: 1fr; border: round $primary 50%; padding: 0 1; }
        #live-side { width: 38; border: round $primary 50%; padding: 0 1; }
        #live-events { height: 6; border-top: solid $primary 50%; padding: 0 1; }
        #live-sensors { padding: 0 1; }
        RangeGauge { margin-top: 1; }
        HoldTimer, RepCounter { margin-top: 1; }
    }
    """

    def __init__(self, services: Services, request: LiveRequest | RecordingChoice, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._compositor = CroppedCompositor()
        """Partial updates render only what shows in the updated area (the angle's rows, forty a second)."""
        self._request = request_from_choice(request) if isinstance(request, RecordingChoice) else request
        self._session = LiveSession(services, self._request, on_event=self.post_message_event, clock=clock)
        """Owns the recording: recorder, live analyzer, sensor status."""
        self._measures: LiveContext | None = None
        self._residual_deg: float | None = None
        self._pain_queue: deque[int] = deque()
        self._prompting = False
        self._finished = False
        self._keys_state: tuple[bool, bool] | None = None
        self._close_when_done = False
        self._discard = False
        self._services = services
        self._session_id: int | None = None
        self._status_shown: str | None = None
        self._ticks = 0
        self.failure: HiptrackError | None = None
        """Why the recording stopped, if it failed (shown on the status line until the screen closes)."""

    @property
    def session(self) -> LiveSession:
        return self._session

    @property
    def measures(self) -> LiveContext | None:
        """Dose, target and personal best, once loaded (a thread worker reads them at mount)."""
        return self._measures

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="live-status", markup=False)      # messages carry device and file names
        with Horizontal(id="live-main"):
            with Vertical(id="live-angle"):
                yield AngleReadout()
                yield RangeGauge()
                yield LiveTrace(id="live-trace")
            with Vertical(id="live-side"):
                yield CalibrationSteps()
                yield HoldTimer()
                yield RepCounter()
        yield Log(id="live-events", max_lines=200)
        yield SensorStatusLines(id="live-sensors")
        yield Footer()

    def on_mount(self) -> None:
        exercise = self._session.exercise
        self.title = f"Recording {exercise.name}"
        self.sub_title = f"{self._request.side.value} side"
        self.query_one("#live-angle").border_title = f"{motion_words(exercise.primary_motion)} (°)"
        self.query_one("#live-side").border_title = "Calibration"
        self._record()
        self._load_context()
        self.refresh_view()
        self.set_interval(ANGLE_REDRAW_S, self._tick)

    def _tick(self) -> None:
        """One clock for all redraws, so whatever changes in a frame goes out in one screen update
        (three timers meant up to three compositor passes)."""
        self._ticks += 1
        if self._ticks % round(TRACE_REDRAW_S / ANGLE_REDRAW_S) == 0:
            self.refresh_trace()
        if self._ticks % round(REDRAW_S / ANGLE_REDRAW_S) == 0:
            self.refresh_view()
        else:
            self.refresh_angle()

    # -- the recording -----------------------------------------------------------------------------
    @work(exclusive=True, group="live-recording")
    async def _record(self) -> None:
        try:
            self._session_id = await self._session.run()
            if not self.is_attached:        # the app closed while it saved: it is stored, nothing to show
                return
        except HiptrackError as err:
            self.failure = err
            self._finish(f"✗ {err} · q closes")
            self.notify(str(err), title="Recording failed", severity="error", timeout=10)
            return
        if self._session_id is None:
            self._finish("■ stopped before anything was stored")
            return
        if self._discard:
            await asyncio.to_thread(services_module.delete_sessions, self._services, [self._session_id])
            self._session_id = None
            if not self.is_attached:
                return
            self._finish("■ discarded: nothing stored · q closes")
            return
        result = await asyncio.to_thread(self._session.result)
        if not self.is_attached:            # the app closed meanwhile: the session is stored, nothing to show
            return
        try:
            log = self.query_one(Log)
        except NoMatches:                   # the app is closing and its widgets went first: the session is stored
            return
        log.write_line(f"Saved as session {self._session_id}.")
        if result:
            log.write_lines(render_assessment(result).splitlines())
        self._finish(f"✓ saved as session {self._session_id} · q closes")

    def _finish(self, status: str) -> None:
        self._finished = True
        self.refresh_view()
        self._show_status(status)
        self.refresh_bindings()
        if self._close_when_done:
            self.dismiss(self._session_id)

    @work(thread=True, group="live-context")
    def _load_context(self) -> None:
        context = self._session.context()
        self.app.call_from_thread(self._set_context, context)

    def _set_context(self, context: LiveContext) -> None:
        if not self.is_attached:                # read after the app closed (a slow database): nothing to draw
            return
        self._measures = context
        self.refresh_view()

    def post_message_event(self, event: LiveEvent) -> None:
        """The session's event callback (same event loop): hand the event over as a message."""
        self.post_message(LiveEventArrived(event))

    @on(LiveEventArrived)
    def _event(self, message: LiveEventArrived) -> None:
        event = message.event
        minutes, seconds = divmod(int(event.time_s), 60)
        self.query_one(Log).write_line(f"{minutes}:{seconds:02d}  {describe_event(event)}")
        if isinstance(event, Calibrated):
            self._residual_deg = event.residual_deg
            self.query_one("#live-side").border_title = "Hold, reps and sets"
        if isinstance(event, SetEnded):
            self._pain_queue.append(event.index)
            self._prompt_pain()
        self.refresh_bindings()

    # -- drawing -----------------------------------------------------------------------------------
    def refresh_angle(self, *, others: bool = False) -> None:
        """Redraw the big angle and the gauge from the newest snapshot (`others`: the two small angles too)."""
        state, context = self._session.state, self._measures
        sign = -1.0 if self._session.exercise.primary_motion in ("extension", "adduction", "external_rotation") \
            else 1.0
        self.query_one(AngleReadout).show(state.angles_deg, state.primary_index, others=others)
        self.query_one(RangeGauge).show(state.primary_deg, context.best_deg if context else None,
                                        context.target_deg if context else None, state.best_deg, sign)

    def refresh_trace(self) -> None:
        """Redraw the scrolling trace, with the plan's target and the personal best as lines."""
        context = self._measures
        self.query_one(LiveTrace).show(self._session.trace, context.target_deg if context else None,
                                       context.best_deg if context else None)

    def refresh_view(self) -> None:
        """Redraw everything from the session's newest snapshot."""
        self.refresh_angle(others=True)
        snapshot = self._session.snapshot
        state, context = snapshot.state, self._measures
        prescription = context.prescription if context else self._session.exercise.prescription
        calibrating = state.calibration is None
        self.query_one(CalibrationSteps).show(state, self._residual_deg)
        self.query_one(HoldTimer).show(state.hold_s, prescription.hold_s, state.last_hold_s)
        self.query_one(RepCounter).show(state.reps, state.reps_in_set, state.sets_done, prescription.reps,
                                        prescription.sets)
        self.query_one(CalibrationSteps).display = calibrating
        self.query_one(HoldTimer).display = self.query_one(RepCounter).display = not calibrating
        self.query_one(SensorStatusLines).show(snapshot.sensors, snapshot.running)
        if not self._finished:
            self._show_status(self._status_text(snapshot))
        keys_state = (snapshot.session_id is not None, snapshot.running)
        if keys_state != self._keys_state:       # what check_action answers has changed: redraw the footer
            self._keys_state = keys_state
            self.refresh_bindings()

    def _show_status(self, text: str) -> None:
        """The status line is one row high whatever it says: a new text needs a repaint, not a layout pass."""
        if text != self._status_shown:
            self._status_shown = text
            self.query_one("#live-status", Static).update(text, layout=False)

    def _status_text(self, snapshot: LiveSnapshot) -> str:
        minutes, seconds = divmod(int(snapshot.state.time_s), 60)
        session = f" · session {snapshot.session_id}" if snapshot.session_id is not None else ""
        if not snapshot.running and snapshot.sensors:
            return f"■ {minutes}:{seconds:02d}{session} · saving and analysing…"
        return f"● REC {minutes}:{seconds:02d}{session} · {phase_text(snapshot.state)}"

    # -- keys --------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Stop only while recording; pain once there is a session to log it against."""
        if action == "stop":
            return not self._finished and self._session.snapshot.running
        if action == "pain":
            return True if self._session.snapshot.session_id is not None else None
        return True

    def action_stop(self) -> None:
        self._session.stop()
        self.refresh_bindings()

    def action_close(self) -> None:
        """Close now if done; a recording under a minute asks first; else stop, save, and close when stored."""
        if self._finished:
            self.dismiss(self._session_id)
            return
        snapshot = self._session.snapshot
        if snapshot.running and snapshot.state.time_s < SHORT_RECORDING_S:
            self.app.push_screen(ShortRecordingScreen(snapshot.state.time_s), self._short_answered)
            return
        self.save_and_close()

    def _short_answered(self, answer: ShortAnswer | None) -> None:
        if answer == "discard":
            self._discard = True
        if answer in ("save", "discard"):
            self.save_and_close()

    def save_and_close(self) -> None:
        """Stop, store what arrived (unless discarding), close when done: also what a hang-up or SIGTERM does."""
        if self._finished:
            self.dismiss(self._session_id)
            return
        self._close_when_done = True
        self._session.stop()

    def action_pain(self) -> None:
        self.app.push_screen(PainPromptScreen(None), partial(self._pain_answered, None))

    # -- pain after each set -----------------------------------------------------------------------
    def _prompt_pain(self) -> None:
        """One prompt at a time: a set that ends while a prompt is open waits its turn."""
        if self._prompting or not self._pain_queue:
            return
        index = self._pain_queue.popleft()
        self._prompting = True
        self.app.push_screen(PainPromptScreen(index + 1), partial(self._pain_answered, index))

    def _pain_answered(self, set_index: int | None, answer: PainAnswer | None) -> None:
        if set_index is not None:
            self._prompting = False
        if answer is not None:
            self._save_pain(answer, set_index)
        self._prompt_pain()

    @work(group="live-pain")
    async def _save_pain(self, answer: PainAnswer, set_index: int | None) -> None:
        try:
            entry = await self._session.add_pain(answer.score, set_index, answer.note)
        except HiptrackError as err:
            self.notify(str(err), title="Pain not saved", severity="error")
            return
        which = f"set {entry.set_index + 1}" if entry.set_index is not None else "the session"
        self.query_one(Log).write_line(f"pain {entry.score}/10 logged for {which}"
                                       + (f": {entry.note}" if entry.note else ""))
