"""The `osteowedge` command line: one module per command group."""
