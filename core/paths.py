"""Where things are in the repository. Everything is relative to the repo root."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "knowledge"
NLU_DIR = ROOT / "data" / "nlu"
NLU_TEST_DIR = ROOT / "tests" / "nlu_test"
MODELS_DIR = ROOT / "models"
VAR_DIR = ROOT / "var"            # run-time state of the embedded default set-up (SQLite files)
CACHE_DIR = ROOT / ".cache"       # embedding cache, index cache: safe to delete
# local copies of the cited public texts (knowledge/sources.yml `file`); absent in a bare clone
SOURCES_DIR = Path(os.environ.get("SOURCES_DIR") or ROOT.parent / "shared" / "sources")
