"""Domain vocabulary shared by storage, services, CLI and UI (values are what the database stores)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from analysis.vocabulary import Counting, Motion, Posture, Side
from sensors.placement import Placement

if TYPE_CHECKING:
    from analysis.peaks import Peaks
    from analysis.results import SessionResult

__all__ = ["AnalysedSession", "Counting", "Motion", "Placement", "Posture", "SessionHeadline", "SessionResult",
           "SessionStatus", "SessionSummary", "Side",
           "Source", "StreamInfo", "thigh_of"]


def __getattr__(name: str) -> Any:
    """SessionResult, re-exported on first use: listing sessions never loads the result types."""
    if name == "SessionResult":
        from analysis.results import SessionResult

        return SessionResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def thigh_of(side: Side) -> Placement:
    """Where the sensor of that side's thigh sits."""
    return Placement.LEFT_THIGH if side is Side.LEFT else Placement.RIGHT_THIGH


class Source(enum.StrEnum):
    """Where a session's samples came from."""

    BLE = "ble"
    SIMULATED = "simulated"
    IMPORTED = "imported"
    REPLAY = "replay"


class SessionStatus(enum.StrEnum):
    RECORDING = "recording"
    COMPLETE = "complete"
    INTERRUPTED = "interrupted"
    """The recording process died; the samples committed before that are kept and analysable."""


@dataclass(frozen=True, slots=True)
class PainEntry:
    """0–10 pain for a whole session (set_index None) or one of its sets (0-based)."""

    session_id: int
    score: int
    set_index: int | None
    note: str | None
    recorded_at: datetime

    def to_json(self) -> dict[str, object]:
        return {"session_id": self.session_id, "score": self.score, "set_index": self.set_index,
                "note": self.note, "recorded_at": self.recorded_at.isoformat()}


@dataclass(frozen=True, slots=True)
class Gap:
    """Time (on the stream's clock) a sensor sent nothing it should have: stored, never interpolated."""

    start_s: float
    end_s: float
    reason: str

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True)
class StreamInfo:
    id: int
    placement: Placement
    rate_hz: float
    samples: int
    has_mag: bool
    device_name: str | None


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One row of the sessions list; cheap to load (never touches raw samples)."""

    id: int
    exercise: str
    side: Side
    source: Source
    status: SessionStatus
    started_at: datetime
    duration_s: float
    samples: int
    rate_hz: float
    notes: str | None
    streams: tuple[StreamInfo, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "exercise": self.exercise,
            "side": self.side.value,
            "source": self.source.value,
            "status": self.status.value,
            "started_at": self.started_at.isoformat(),
            "duration_s": round(self.duration_s, 3),
            "samples": self.samples,
            "rate_hz": round(self.rate_hz, 3),
            "notes": self.notes,
            "streams": [
                {"id": s.id, "placement": s.placement.value, "rate_hz": round(s.rate_hz, 3),
                 "samples": s.samples, "has_mag": s.has_mag, "device": s.device_name}
                for s in self.streams
            ],
        }


@dataclass(frozen=True, slots=True)
class AnalysedSession:
    """A session's identity with its stored result: what progress, trends and the dashboard read."""

    session_id: int
    exercise: str
    side: Side
    started_at: datetime
    result: SessionResult

    @property
    def calibrated(self) -> bool:
        return self.result.calibrated


@dataclass(frozen=True, slots=True)
class SessionHeadline:
    """An analysed session's identity and its peaks, nothing else: what the dashboard draws first.

    Why not the AnalysedSession: typing years of results with their reps, holds, sets and JSON columns
    takes most of a second; the calendar, the week and the best angle per session need none of it.
    """

    session_id: int
    exercise: str
    side: Side
    started_at: datetime
    peaks: Peaks | None
    """None when the session was not calibrated (its angles mean nothing), as its result's peaks."""
