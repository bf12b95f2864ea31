"""Generates the numpy golden files read by npy.test.ts / npz.test.ts (numpy >= 1.17).

Values follow closed formulas that the TypeScript tests recompute (no transcendental functions,
so results are bit-identical in JavaScript). Run from this folder: python3 make_npz_fixtures.py
"""
import numpy as np


def stats(n):
    i = np.arange(n, dtype=np.float64)
    mu = (i - 3.5) / 3.0
    sigma = 1.0 / (1.0 + i[:, None] + i[None, :]) + np.eye(n)
    return mu, sigma


def mixed():
    return {
        'f4': (np.arange(6, dtype=np.float32) / np.float32(7)).reshape(2, 3),
        'f8': np.arange(4, dtype=np.float64) / 7.0,
        'i8': (np.arange(6, dtype=np.int64) * -1_000_000_007).reshape(3, 2),
        'i4': np.array([-2147483648, -1, 0, 1, 2147483647], dtype=np.int32),
        'i2': np.array([-32768, -1, 0, 32767], dtype=np.int16),
        'i1': np.array([-128, 0, 127], dtype=np.int8),
        'u1': np.array([0, 1, 255], dtype=np.uint8),
        'b1': np.array([[True, False], [False, True]]),
        'f2': np.array([1.0, -2.5, 65504.0, 6.1035156e-05, 5.9604645e-08, np.inf], dtype=np.float16),
        'scalar': np.float64(2.5),
        'empty': np.zeros((0, 3), dtype=np.float32),
        'fortran': np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4)),
        'big_endian': (np.arange(5, dtype=np.float32) * np.float32(0.5)).astype('>f4'),
    }


mu, sigma = stats(8)
np.savez('stats_savez.npz', mu=mu, sigma=sigma)
np.savez_compressed('stats_savez_compressed.npz', mu=mu, sigma=sigma)
np.savez('mixed_savez.npz', **mixed())
np.savez_compressed('mixed_savez_compressed.npz', **mixed())
with open('v2_header.npy', 'wb') as f:
    np.lib.format.write_array(f, np.arange(3, dtype=np.int64), version=(2, 0))
with open('v3_header.npy', 'wb') as f:
    np.lib.format.write_array(f, np.arange(3, dtype=np.float64) / 7.0, version=(3, 0))
