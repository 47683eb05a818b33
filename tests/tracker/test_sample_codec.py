"""Raw samples must come back as stored (to the codec's quanta) and stay compact."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sensors.samples import ImuSamples
from sensors.simulator import Dose, SimOptions, simulate_session
from tracker.storage.sample_codec import (
    ACC_QUANTUM_MPS2,
    GYR_QUANTUM_RADPS,
    MAG_QUANTUM_UT,
    SampleRangeError,
    decode_chunk,
    encode_chunk,
)


def _assert_close(back: ImuSamples, original: ImuSamples) -> None:
    np.testing.assert_allclose(back.time_s, original.time_s, rtol=0, atol=1e-6)
    np.testing.assert_allclose(back.acc_mps2, original.acc_mps2, rtol=0, atol=ACC_QUANTUM_MPS2 / 2 + 1e-12)
    np.testing.assert_allclose(back.gyr_radps, original.gyr_radps, rtol=0, atol=GYR_QUANTUM_RADPS / 2 + 1e-12)
    if original.mag_ut is not None:
        assert back.mag_ut is not None
        np.testing.assert_allclose(back.mag_ut, original.mag_ut, rtol=0, atol=MAG_QUANTUM_UT / 2 + 1e-12)
    else:
        assert back.mag_ut is None


@pytest.mark.parametrize("with_mag", [False, True])
def test_simulated_chunk_round_trips(with_mag: bool) -> None:
    sim = simulate_session("ride", "left", seed=2, options=SimOptions(with_mag=with_mag, dose=Dose(ride_s=20)))
    block = sim.thigh.slice(500, 600)
    t0 = float(block.time_s[0])
    _assert_close(decode_chunk(encode_chunk(block, t0), t0, len(block), with_mag), block)


def test_one_second_chunks_of_real_like_data_cost_at_most_16_bytes_a_sample() -> None:
    sim = simulate_session("seated_hip_internal_rotation", "right", seed=4)
    thigh = sim.thigh
    total = sum(len(encode_chunk(thigh.slice(i, i + 100), float(thigh.time_s[i])))
                for i in range(0, len(thigh), 100))
    assert total / len(thigh) <= 16.0


def test_values_beyond_the_fixed_point_range_are_refused() -> None:
    time_s = np.array([0.0, 0.01])
    huge = np.array([[0.0, 0.0, 9.8], [0.0, 0.0, 1e9]])
    with pytest.raises(SampleRangeError, match="acceleration"):
        encode_chunk(ImuSamples(time_s, huge, np.zeros((2, 3))), 0.0)


finite = st.floats(min_value=-150.0, max_value=150.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 300), data=st.data())
def test_any_plausible_block_round_trips(n: int, data: st.DataObject) -> None:
    steps = data.draw(hnp.arrays(np.float64, n, elements=st.floats(1e-4, 0.5)))
    t0 = data.draw(st.floats(0, 1e6))
    time_s = t0 + np.cumsum(steps) - steps[0]
    acc = data.draw(hnp.arrays(np.float64, (n, 3), elements=finite))
    gyr = data.draw(hnp.arrays(np.float64, (n, 3), elements=st.floats(-35.0, 35.0)))
    mag = data.draw(st.one_of(st.none(), hnp.arrays(np.float64, (n, 3), elements=st.floats(-200.0, 200.0))))
    block = ImuSamples(time_s, acc, gyr, mag)
    _assert_close(decode_chunk(encode_chunk(block, t0), t0, n, mag is not None), block)
