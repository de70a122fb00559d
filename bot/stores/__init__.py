"""Storage: Rasa tracker stores with erasure, and (later) the case store."""
