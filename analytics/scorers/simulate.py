"""Customers drawn from BG/NBD and Gamma-Gamma with known parameters, for recovery tests and benchmarks.

Exact and vectorised, no per-customer loop. BG/NBD (Fader, Hardie & Lee 2005): with lambda ~ Gamma(r,
alpha) and p ~ Beta(a, b), a live customer's repeat purchases form a Poisson(lambda) process and they
leave right after the J-th repeat purchase, J ~ Geometric(p). So with n ~ Poisson(lambda T) purchases the
process would make by T, frequency x = min(n, J); given n, purchase times are n uniform order statistics
on (0, T), so recency is T times the x-th of them, T * Beta(x, n - x + 1). Gamma-Gamma: nu ~ Gamma(q,
gamma) and each purchase value ~ Gamma(p, nu), so the mean of x values is Gamma(p x, nu x).
"""

from __future__ import annotations

import numpy as np

__all__ = ["simulate_bgnbd", "simulate_gamma_gamma"]


def simulate_bgnbd(
    r: float, alpha: float, a: float, b: float, T: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(frequency, recency) for customers observed for ``T`` (one value per customer) after their first
    purchase; recency in the unit of T and alpha."""
    T = np.asarray(T, dtype=float)
    rate = rng.gamma(r, 1.0 / alpha, T.shape)
    dropout_p = np.clip(rng.beta(a, b, T.shape), 1e-12, 1.0)
    would_buy = rng.poisson(rate * T)
    leaves_after = rng.geometric(dropout_p)
    frequency = np.minimum(would_buy, leaves_after)
    repeat = frequency > 0
    last = rng.beta(np.where(repeat, frequency, 1), np.where(repeat, would_buy - frequency + 1, 1))
    return frequency.astype(np.int64), np.where(repeat, T * last, 0.0)


def simulate_gamma_gamma(
    p: float, q: float, gamma: float, frequency: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Mean value of each customer's ``frequency`` repeat purchases (0 where frequency is 0)."""
    x = np.asarray(frequency, dtype=float)
    nu = rng.gamma(q, 1.0 / gamma, x.shape)
    repeat = x > 0
    mean = rng.gamma(np.where(repeat, p * x, 1.0), 1.0 / (nu * np.where(repeat, x, 1.0)))
    return np.where(repeat, mean, 0.0)
