"""Is this message nearly one of the calm messages of knowledge/not_emergencies.yml?

The emergency model's low score alone may not overrule the intent classifier's `emergency`:
cross-validated on the training data, 33 of 874 emergencies without a danger phrase scored under
0.2 when held out ("I want to take my life tonight", "they want to kill me, they are at the
door"). So the safety net overrules only a message that is also nearly a calm message ("we dey
for house now" next to "we dey house now"): its sentence embedding's cosine to one of them is at
least the gate, set at training just above the closest any `emergency` training example comes to
them. No known emergency is that close; a calm statement of where one is usually is.
Persisted as a plain array and JSON (no pickle).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import numpy as np

# above the closest emergency: e5 similarities are compressed (unrelated sentences score 0.8)
MARGIN = 0.005


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


class CalmMessages:
    def __init__(self, vectors: np.ndarray, gate: float) -> None:
        self.vectors = _unit(vectors)
        self.gate = float(gate)

    @classmethod
    def fit(cls, calm: np.ndarray, emergencies: np.ndarray, margin: float = MARGIN) -> "CalmMessages":
        """The calm messages' vectors, gated just above the closest emergency's similarity to them."""
        closest = float((_unit(emergencies) @ _unit(calm).T).max()) if len(emergencies) and len(calm) else 1.0
        return cls(calm, min(1.0, closest + margin))

    def close(self, dense: Optional[np.ndarray]) -> np.ndarray:
        """For each row of `dense`: is it at least `gate` similar to one calm message?"""
        if dense is None or not dense.size or not len(self.vectors) or dense.shape[1] != self.vectors.shape[1]:
            return np.zeros(0 if dense is None else len(dense), dtype=bool)
        return (_unit(dense) @ self.vectors.T).max(axis=1) >= self.gate

    def save(self, directory: Path) -> None:
        np.save(directory / "calm_vectors.npy", self.vectors)
        (directory / "calm_meta.json").write_text(json.dumps({"gate": self.gate}), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> Optional["CalmMessages"]:
        try:
            vectors = np.load(directory / "calm_vectors.npy")
            gate = json.loads((directory / "calm_meta.json").read_text(encoding="utf-8"))["gate"]
        except (OSError, ValueError, KeyError):
            return None
        return cls(vectors, float(gate))
