"""AUEdit's training package: data engine, training, evaluation and ONNX export."""
