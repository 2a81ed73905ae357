"""Fitting the game face to faces: landmarks now, GE-Net later."""
