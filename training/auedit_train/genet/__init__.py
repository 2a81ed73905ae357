"""GE-Net training: the face-segmentation feature extractors E (paper layout and light) and
the imitator M, with seeds, resumable checkpoints, JSON-lines logs, torchrun (DDP) and ONNX
export (`auedit-train genet --help`, training/README.md)."""
