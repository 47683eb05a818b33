"""Bluetooth LE through bleak: scanning (`scan`, `advertising`), sessions with live sensors (`session`), the choice
of radio (`backends`), and the one fake, which sits where the radio would be (`replay_backend`, `replay_scanner`)."""
