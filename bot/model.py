"""Trained models: where they are and training them with visible progress."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from core.paths import MODELS_DIR, ROOT


def latest_model(directory: Path = MODELS_DIR) -> Optional[Path]:
    models = sorted(directory.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime) if directory.exists() else []
    return models[-1] if models else None


def train(output: Path = MODELS_DIR, fixed_name: str = "assistant", config: str = "config.yml") -> Path:
    """Train NLU and dialogue (Rasa reuses unchanged parts of the previous model)."""
    import logging

    from rasa.model_training import train as rasa_train
    from rasa.utils.common import configure_logging_and_warnings

    configure_logging_and_warnings(logging.WARNING)

    from rasa_extensions.nlu.knowledge_examples import write_training_file

    generated = write_training_file()
    result = rasa_train(
        domain=str(ROOT / "domain.yml"),
        config=str(ROOT / config),
        training_files=[str(ROOT / "data"), str(generated)],
        output=str(output),
        fixed_model_name=fixed_name,
    )
    if result.code != 0 or not result.model:
        raise SystemExit(f"Training failed (code {result.code})")
    # the answer index and classifier (retrieval.answers) are built here, so the first question a
    # person asks never waits for them; cached until the knowledge base changes
    from retrieval.answers import get_ranker

    print("answer index and classifier: loading, or building once for this knowledge base (a few minutes) ...",
          flush=True)
    print("answer ranker ready:", len(get_ranker(progress=True).candidates), "answers")
    return Path(result.model)
