"""What every layer uses and that uses nothing of this repository: settings, paths, the
database, the clock, the HTTP rule every server of ours applies."""
