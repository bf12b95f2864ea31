"""Writes stats_savez.npz the way DF-GAN/GALIP/RATLIP's `*_FIDK0.npz` files are written
(np.savez with float64 `mu` [d] and `sigma` [d, d]), for statistics-file.test.ts.

Values follow closed formulas (no transcendental functions) that the test recomputes exactly.
Run from this folder: python3 make_stats_fixture.py
"""
import numpy as np

d = 7
i = np.arange(d, dtype=np.float64)
mu = (i - 2.5) / 4.0
sigma = 1.0 / (2.0 + i[:, None] + i[None, :]) + np.eye(d)
np.savez('stats_savez.npz', mu=mu, sigma=sigma)
