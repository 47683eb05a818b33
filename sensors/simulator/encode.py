"""Encode simulated IMU samples as the BLE notifications a real device of each profile would send.

Why: a simulated session, and a replayed log of one, should reach the tracker the way a live sensor does — bytes
notified on a characteristic and turned into samples by the profile's real decoder (``sensors/profiles``) — so that
replays exercise the decoders' framing, scaling, clipping and timestamp handling instead of a side door that hands
over floats. The simulator therefore speaks each device's own byte format.

Each family describes its own bytes (``SensorProfile.encoder``, written in the family's module from the protocol
document with scale constants of its own); this module only dispatches by profile name, so a new family is
simulated without touching it. ``tests/test_encode.py`` (encode → real decoder → compare with the original samples)
checks the two readings of the spec against each other.

Every notification carries whole samples; ``Notification.time_s`` is its host arrival time, taken as the time of
the last sample it carries. Integer formats round to the nearest count and saturate at the int16 limits, as a sensor
clips at full scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sensors import profiles
from sensors.profiles import UnknownProfileError
from sensors.profiles.base import Encoder, Notification
from sensors.samples import ImuSamples


def encoder_names() -> list[str]:
    """Profiles the simulator can speak: every discovered family that describes its bytes."""
    return [profile.name for profile in profiles.all_profiles() if profile.encoder is not None]


def encoder_of(profile_name: str) -> Encoder:
    """The family's encoder; an unknown name, or a family without one, is an `UnknownProfileError`."""
    encoder = profiles.get(profile_name).encoder if profile_name in profiles.names() else None
    if encoder is None:
        raise UnknownProfileError(profile_name, encoder_names())
    return encoder


def encode_notifications(profile_name: str, samples: ImuSamples, **options: Any) -> list[Notification]:
    """`samples` as the notifications a `profile_name` device would send, in arrival order.

    Options are the family's encoder's (e.g. "witmotion" ``frames_per_notification``, "movella-dot"
    ``payload_mode``); an unknown option is a TypeError, an unknown profile an `UnknownProfileError`.
    """
    encoder = encoder_of(profile_name)
    _check_finite(samples)
    if len(samples) == 0:
        return []
    return encoder.encode(samples, **options)


def decoder_options(profile_name: str, samples: ImuSamples, **options: Any) -> dict[str, Any]:
    """Options for ``profiles.get(profile_name).decoder(...)`` that match an encoding made with `options`.

    E.g. the DOT decoder must know the payload mode; the Polar decoder the requested sample rate.
    """
    return encoder_of(profile_name).decoder_options(samples, options)


def _check_finite(samples: ImuSamples) -> None:
    for name in ("time_s", "acc_mps2", "gyr_radps", "mag_ut"):
        value = getattr(samples, name)
        if value is not None and not np.all(np.isfinite(value)):
            raise ValueError(f"cannot encode non-finite {name}")


__all__ = ["Notification", "decoder_options", "encode_notifications", "encoder_names", "encoder_of"]
