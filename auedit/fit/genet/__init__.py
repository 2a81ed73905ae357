"""GE-Net: fitting the game face's parameters to a photo by differentiable optimisation.

An imitator M (parameters -> image) and a face-segmentation feature extractor E, both trained
by `auedit-train genet`, are held fixed while pose, AU and identity parameters are updated to
minimise ||E(M(y)) - E(I)||_1 (Shi et al., GE-Net). torch is imported only by the submodules
that need it (`networks`, `fitter`), so importing this package costs nothing.
"""
