"""The AU regressor of the rig fit: MediaPipe's view of a face -> the game face's AU parameters.

Trained on game-face renders with known parameters (tracked by MediaPipe and fitted exactly as
the app's `rigfit` detector does), so that the rig fit reads AUs at their true size; see
`resources/models/cards/au_regressor.md`.
"""
