"""The analysis pipeline: tracking, detectors, calibration and smoothing for each frame."""
