"""Physics-based simulator of thigh and pelvis IMUs during the catalogue's exercises and rides.

Scripted hip-angle trajectories → segment orientations and positions → what a strapped IMU
measures (gyro, specific force, optionally magnetic field) with noise, bias, scale error, strap
misalignment and body sway — plus the ground truth an analysis must recover.
"""

from sensors.simulator.exercises import EXERCISE_SCRIPTS, Dose
from sensors.simulator.imu_model import ImuErrors
from sensors.simulator.magnetic import MagEnvironment
from sensors.simulator.session import SimOptions, SimulatedSession, Truth, simulate_session

__all__ = ["EXERCISE_SCRIPTS", "Dose", "ImuErrors", "MagEnvironment", "SimOptions", "SimulatedSession", "Truth",
           "simulate_session"]
