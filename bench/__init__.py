"""Benchmarks: commands that print figures (and write pictures under bench/out/)."""
