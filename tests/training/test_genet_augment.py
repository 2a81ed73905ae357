"""The segmenter's batch augmentation (`auedit_train.genet.segmenter.prepare`)."""

from __future__ import annotations

import pytest
import torch
from auedit_train.genet.segmenter import prepare

from auedit.rig.topology import Part


def _batch() -> dict[str, torch.Tensor]:
    """Eight 64 px faces: a skin-grey disc on a black background (renders) or a flat photo."""
    yy, xx = torch.meshgrid(torch.arange(64), torch.arange(64), indexing="ij")
    disc = ((yy - 32) ** 2 + (xx - 32) ** 2) < 20**2
    labels = torch.where(disc, int(Part.SKIN), int(Part.BACKGROUND)).repeat(8, 1, 1)
    image = torch.where(disc, 0.7, 0.0).expand(8, 3, 64, 64).clone()
    return {"image": image, "labels": labels, "render": torch.tensor([1, 1, 1, 1, 0, 0, 0, 0])}


def test_renders_get_a_cluttered_background_and_labels_follow_the_image():
    image, labels = prepare(_batch(), torch.Generator().manual_seed(0), torch.device("cpu"))
    assert image.shape == (8, 3, 64, 64) and labels.shape == (8, 64, 64)
    assert labels.dtype == torch.long and image.min() >= 0.0 and image.max() <= 1.0
    def background_spread(part: slice) -> float:
        """The spread of each image's background pixels, averaged over the images."""
        return float(torch.stack([image[i][:, labels[i] == int(Part.BACKGROUND)].std()
                                  for i in range(8)[part]]).mean())

    # renders (the first four) get clutter behind them; the photos keep their flat background
    assert background_spread(slice(0, 4)) > 0.05
    assert background_spread(slice(0, 4)) > 3 * background_spread(slice(4, 8))
    # the skin label stays on the bright disc after the jittered alignment
    skin = labels == int(Part.SKIN)
    assert image.mean(dim=1)[skin].mean() > image.mean(dim=1)[~skin].mean()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_the_augmentation_on_cuda_matches_the_cpu():
    """The random draws come from the CPU generator, so a GPU run augments as a CPU run."""
    cpu = prepare(_batch(), torch.Generator().manual_seed(3), torch.device("cpu"))
    gpu = prepare(_batch(), torch.Generator().manual_seed(3), torch.device("cuda"))
    assert gpu[0].device.type == "cuda"
    assert (gpu[1].cpu() == cpu[1]).float().mean() > 0.99
    assert (gpu[0].cpu() - cpu[0]).abs().mean() < 0.01
