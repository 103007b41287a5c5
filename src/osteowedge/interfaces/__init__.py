"""The ways in: command line (and later REST, CDS Hooks, web)."""
