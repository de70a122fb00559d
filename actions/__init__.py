"""Custom actions (rasa-sdk), one module per capability. All text comes from knowledge/."""
