"""Pure maths on IMU arrays: orientation, calibration, hip angles, events, rides and trends.

Arrays in, frozen dataclasses out; NumPy, SciPy and vqf only (no I/O, no BLE, no storage, no UI).
"""
