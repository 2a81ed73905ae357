"""Face tracking with MediaPipe's Face Landmarker: landmarks, blendshapes, head pose, track ids."""
