"""Synthesis: edit a photo of a face to target AU intensities (see `base.Synthesizer`)."""
