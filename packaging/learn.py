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
    bounds: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, float]:
    """Weighted, L2-regularised logistic regression by full-batch Adam.

    forward(w) gives X @ w and backward(g) gives X.T @ g, so dense and sparse
    (index-array) feature matrices share one optimiser. `bounds` (lower, upper per
    weight) keeps each weight's sign where what the feature means fixes it.
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
        if bounds is not None:
            w = np.clip(w, *bounds)
        if log is not None and epoch % 100 == 0:
            loss = -np.mean(sample_weight * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
            log(f"  epoch {epoch}: loss {loss:.4f}  train accuracy {np.mean((p > 0.5) == (y > 0.5)):.4f}")
    return w, b


def fit_mlp(
    x: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
    *,
    hidden: int,
    l2: float,
    epochs: int,
    lr: float = 3e-3,
    seed: int = 0,
    log: Callable[[str], None] | None = print,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """One hidden ReLU layer, sigmoid output; weighted cross-entropy, L2, full-batch Adam.

    Returns W1 (d, hidden), b1 (hidden,), w2 (hidden,), b2.
    """
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    params = [
        rng.normal(0, np.sqrt(2 / d), (d, hidden)),
        np.zeros(hidden),
        rng.normal(0, np.sqrt(1 / hidden), hidden),
        np.zeros(1),
    ]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    n = len(y)
    for epoch in range(1, epochs + 1):
        w1, b1, w2, b2 = params
        h_pre = x @ w1 + b1
        h = np.maximum(h_pre, 0)
        z = h @ w2 + b2[0]
        p = 1 / (1 + np.exp(-np.clip(z, -40, 40)))
        g = (p - y) * sample_weight / n
        grad_w2 = h.T @ g + l2 * w2
        grad_b2 = np.array([g.sum()])
        gh = np.outer(g, w2) * (h_pre > 0)
        grad_w1 = x.T @ gh + l2 * w1
        grad_b1 = gh.sum(axis=0)
        for i, grad in enumerate((grad_w1, grad_b1, grad_w2, grad_b2)):
            m[i] = beta1 * m[i] + (1 - beta1) * grad
            v[i] = beta2 * v[i] + (1 - beta2) * grad**2
            params[i] -= lr * (m[i] / (1 - beta1**epoch)) / (np.sqrt(v[i] / (1 - beta2**epoch)) + eps)
        if log is not None and epoch % 100 == 0:
            loss = -np.mean(sample_weight * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
            log(f"  epoch {epoch}: loss {loss:.4f}  train accuracy {np.mean((p > 0.5) == (y > 0.5)):.4f}")
    w1, b1, w2, b2 = params
    return w1, b1, w2, float(b2[0])


def fold_standardization(
    w1: np.ndarray, b1: np.ndarray, mean: np.ndarray, std: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A first layer trained on (x - mean) / std, rewritten to take x itself (same outputs).

    The encoder's embeddings share one large common direction (unrelated texts have cosine ~0.8), so a
    head learns better on standardised dimensions; folded, the engine feeds it the raw embedding.
    """
    w = w1 / std[:, None]
    return w, b1 - (mean / std) @ w1
