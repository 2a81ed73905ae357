"""The game face: an open FACS face rig on MediaPipe's canonical mesh (pose, AU and identity
parameters in [0, 1], as GE-Net's Justice Face)."""
