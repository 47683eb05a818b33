"""Bluetooth LE: sessions with real sensors through bleak, and the one fake (a replaying backend)."""
