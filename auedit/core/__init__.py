"""Numpy-only foundations: the AU catalogue, data types, calibration and smoothing."""
