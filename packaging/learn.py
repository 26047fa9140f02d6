"""Small numpy learners shared by the build scripts (development only)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def balanced_weights(y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Sample weights that give both classes the same total weight (mean 1)."""
    w = np.ones(len(y)) if weights is None else weights.astype(np.float64).copy()
    for cls in (0, 1):
        total = w[y == cls].sum()
        if total > 0:
            w[y == cls] *= len(y) / (2 * total)
    return w


def fit_logistic(
    n_features: int,
    forward: Callable[[np.ndarray], np.ndarray],
    backward: Callable[[np.ndarray], np.ndarray],
    y: np.ndarray,
    sample_weight: np.ndarray,
    *,
    l2: float,
    epochs: int,
    lr: float = 0.05,
    log: Callable[[str], None] | None = print,
) -> tuple[np.ndarray, float]:
    """Weighted, L2-regularised logistic regression by full-batch Adam.

    forward(w) gives X @ w and backward(g) gives X.T @ g, so dense and sparse
    (index-array) feature matrices share one optimiser.
    """
    w = np.zeros(n_features)
    b = 0.0
    m_w = np.zeros(n_features)
    v_w = np.zeros(n_features)
    m_b = v_b = 0.0
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    n = len(y)
    for epoch in range(1, epochs + 1):
        z = forward(w) + b
        p = 1 / (1 + np.exp(-np.clip(z, -40, 40)))
        g = (p - y) * sample_weight / n
        grad_w = backward(g) + l2 * w
        grad_b = float(g.sum())
        m_w = beta1 * m_w + (1 - beta1) * grad_w
        v_w = beta2 * v_w + (1 - beta2) * grad_w**2
        m_b = beta1 * m_b + (1 - beta1) * grad_b
        v_b = beta2 * v_b + (1 - beta2) * grad_b**2
        w -= lr * (m_w / (1 - beta1**epoch)) / (np.sqrt(v_w / (1 - beta2**epoch)) + eps)
        b -= lr * (m_b / (1 - beta1**epoch)) / (np.sqrt(v_b / (1 - beta2**epoch)) + eps)
        if log is not None and epoch % 100 == 0:
            loss = -np.mean(sample_weight * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
            log(f"  epoch {epoch}: loss {loss:.4f}  train accuracy {np.mean((p > 0.5) == (y > 0.5)):.4f}")
    return w, b
