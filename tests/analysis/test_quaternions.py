"""analysis.quaternions against references: SciPy's Rotation for matrices, np.cross for rotations."""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from analysis import quaternions as q


def test_from_matrix_matches_scipy_including_nearly_orthogonal_matrices() -> None:
    rng = np.random.default_rng(12)
    rotations = Rotation.random(300, random_state=rng)
    matrices = rotations.as_matrix()
    matrices[::3] += rng.normal(0, 1e-3, (100, 3, 3))        # not quite orthogonal: the nearest rotation
    matrices[1] = np.diag([1.0, -1.0, -1.0])                   # each branch of the largest-element choice
    matrices[2] = np.diag([-1.0, 1.0, -1.0])
    matrices[4] = np.diag([-1.0, -1.0, 1.0])
    for matrix in matrices:
        expected = Rotation.from_matrix(matrix).as_quat()[[3, 0, 1, 2]]
        np.testing.assert_allclose(q.from_matrix(matrix), expected, rtol=0, atol=1e-15)


def test_rotate_is_the_cross_product_formula_bit_for_bit() -> None:
    rng = np.random.default_rng(13)
    quat = rng.normal(size=(500, 4))
    quat /= np.linalg.norm(quat, axis=1, keepdims=True)
    vectors = rng.normal(size=(500, 3))
    for v in (vectors, np.array([0.0, 0.0, 1.0])):
        t = 2.0 * np.cross(quat[:, 1:], v)
        expected = v + quat[:, :1] * t + np.cross(quat[:, 1:], t)
        np.testing.assert_array_equal(q.rotate(quat, v), expected)
    np.testing.assert_allclose(q.rotate(q.about_z(np.pi / 2), np.array([1.0, 0.0, 0.0])), [0.0, 1.0, 0.0], atol=1e-15)
