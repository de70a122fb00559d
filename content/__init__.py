"""The knowledge (knowledge/ YAML) loaded and checked in one place: `knowledge` loads it,
`check` refuses content that is incomplete, unsourced or unsafe, `sources` verifies citations and
reports for the content team, `rules` generates the per-topic Rasa rules, `menus` renders a reply
with its numbered menu the way the actions send it."""
