"""Writing and reading analysis results (OpenFace-style CSV; more exporters plug in later)."""
