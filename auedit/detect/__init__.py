"""AU detectors: one protocol (`base.Detector`), implementations that plug in by name."""
