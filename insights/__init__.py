"""The content feedback loop: answer ratings and unanswered questions, in aggregates for supervisors."""
