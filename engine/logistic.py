"""Log-odds and back: the one logit and the one sigmoid that the tiers and the decision share."""

from __future__ import annotations

from typing import overload

import numpy as np

_Z_LIMIT = 40.0  # beyond it a probability is 0 or 1 to float64 precision, and exp cannot overflow


@overload
def logit(p: float, eps: float = ...) -> float: ...
@overload
def logit(p: np.ndarray, eps: float = ...) -> np.ndarray: ...
def logit(p: float | np.ndarray, eps: float = 1e-6) -> float | np.ndarray:
    """Log-odds of a probability (float or array), clipped to [eps, 1 - eps] so a certain one stays finite."""
    q = np.clip(p, eps, 1 - eps)
    out = np.log(q / (1 - q))
    return float(out) if np.ndim(out) == 0 else out


@overload
def sigmoid(z: float) -> float: ...
@overload
def sigmoid(z: np.ndarray) -> np.ndarray: ...
def sigmoid(z: float | np.ndarray) -> float | np.ndarray:
    """Probability of a logit (float or array); the logit is clipped to ±40 so exp cannot overflow."""
    out = 1.0 / (1.0 + np.exp(-np.clip(z, -_Z_LIMIT, _Z_LIMIT)))
    return float(out) if np.ndim(out) == 0 else out
