"""The one replay pacing rule (sensors.pacing), checked on a fake clock: no timing in tests."""

from __future__ import annotations

from sensors.pacing import Pacer


class FakeClock:
    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


def test_realtime_waits_for_the_rest_of_the_offset_and_catches_up_when_late() -> None:
    clock = FakeClock()
    pacer = Pacer(realtime=True, clock_s=clock)
    clock.now_s += 0.25
    assert pacer.delay_s(1.0) == 0.75
    clock.now_s += 2.0                                   # the consumer was slow: late items are due at once
    assert pacer.delay_s(1.5) == 0.0
    pacer.restart()
    assert pacer.delay_s(0.5) == 0.5


def test_as_fast_as_possible_never_waits() -> None:
    clock = FakeClock()
    assert Pacer(realtime=False, clock_s=clock).delay_s(3600.0) == 0.0
