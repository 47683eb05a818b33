"""File modes bind only ordinary users; tests that check them run as `nobody` when the suite runs as root (CI)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

NOBODY = 65534


@contextmanager
def as_ordinary_user() -> Iterator[None]:
    """As root, act as `nobody` for the block; as anyone else, stay who you are."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)
