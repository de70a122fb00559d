"""Retrieval over the knowledge base, and the words of the guided flows.

- `index`, `answers`: the multilingual embedding and character TF-IDF index of every article's
  and entry's questions, title and answer, and the ranker over it.
- `safety`: the safety phrases (knowledge/safety_keywords.yml), read and matched only here.
- `countries`, `name_index`, `story_slots`, `story_needs`, `flows_data`: country and place names, what a migrant's
  story says about their route, the guided flows' answer words and contacts.
The Rasa component that applies the safety net and builds the index at training is named in
config.yml.
"""
