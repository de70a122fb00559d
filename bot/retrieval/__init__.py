"""Retrieval over the knowledge base and the deterministic safety net.

- `index`: multilingual embedding index of every article's questions, title and answer.
- `safety`: clear danger phrases (knowledge/safety_keywords.yml) -> the `emergency` intent.
- `component`: the Rasa NLU component that applies the safety net and warms the index.
"""
