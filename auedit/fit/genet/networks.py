"""GE-Net's networks: the imitator M and the face-segmentation feature extractors E.

- `Imitator`: facial parameters (pitch, yaw, AU, identity) -> an aligned face image; eight
  transposed convolutions with instance norm and ReLU after each but the last (paper Fig. 3a).
- `ResNetSegmenter`: the paper's extractor layout, ResNet-50 (bottleneck blocks 3-4-6-3) with
  strides [2, 1, 1, 1] at its four stages, the pooling and classifier replaced by a 1x1
  convolution, output at 1/8 and upsampled x8; `width` scales the channels (1.0 = ResNet-50).
- `LightSegmenter`: the live variant, four small stages with the same 1/8 output and head.

Both extractors return their class logits and their first four feature maps, which GE-Net's
loss compares after weighting them with region probability maps (Eq. 5). ResNet-50 is written
out here rather than taken from torchvision: torchvision is not otherwise needed, and its
ResNet cannot put a stride on the first stage.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812


@dataclass(frozen=True)
class ImitatorConfig:
    n_params: int  # pose (pitch, yaw) + AU + identity parameters
    size: int = 128
    width: int = 32  # channels of the 64 px layer; earlier layers have 2x, 4x, 8x


class Imitator(nn.Module):
    """Parameters (B, n_params) in [0, 1] -> RGB (B, 3, S, S) in [0, 1].

    Eight transposed convolutions: 1 -> 4 px (4x4, stride 1), a 3x3 stride-1 refinement at
    4 and at 8 px, and five 4x4 stride-2 layers 4 -> 128 px, the last one the output. The
    refinements sit at low resolution, where they are cheap (a stride-1 transposed
    convolution at 128 px costs more on a CPU than the rest of the network).
    """

    def __init__(self, config: ImitatorConfig) -> None:
        super().__init__()
        if config.size != 128:
            raise ValueError("the imitator's layout is built for 128 px images")
        self.config = config
        w = config.width
        specs = [  # in, out, kernel, stride, padding
            (config.n_params, 8 * w, 4, 1, 0), (8 * w, 8 * w, 3, 1, 1),
            (8 * w, 8 * w, 4, 2, 1), (8 * w, 8 * w, 3, 1, 1),
            (8 * w, 4 * w, 4, 2, 1), (4 * w, 2 * w, 4, 2, 1), (2 * w, w, 4, 2, 1),
            (w, 3, 4, 2, 1)]
        layers: list[nn.Module] = []
        for i, (c_in, c_out, k, st, pad) in enumerate(specs):
            layers.append(nn.ConvTranspose2d(c_in, c_out, k, st, pad))
            if i < len(specs) - 1:  # IN and ReLU after every layer but the output
                layers += [nn.InstanceNorm2d(c_out, affine=True), nn.ReLU(inplace=True)]
        self.net = nn.Sequential(*layers)
        for m in self.modules():  # DCGAN initialisation, as the paper
            if isinstance(m, nn.ConvTranspose2d):
                nn.init.normal_(m.weight, 0.0, 0.02)
                nn.init.zeros_(m.bias)

    def forward(self, params: torch.Tensor) -> torch.Tensor:
        x = self.net(params[:, :, None, None] * 2.0 - 1.0)
        return torch.sigmoid(x)


@dataclass(frozen=True)
class SegmenterConfig:
    arch: str  # "resnet50" or "light"
    n_classes: int
    width: float = 1.0


class _Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, c_in: int, planes: int, stride: int, dilation: int) -> None:
        super().__init__()
        c_out = planes * self.expansion
        self.conv1 = nn.Conv2d(c_in, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, dilation, dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, c_out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(c_out)
        self.down = None
        if stride != 1 or c_in != c_out:
            self.down = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False),
                                      nn.BatchNorm2d(c_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)), inplace=True)
        y = F.relu(self.bn2(self.conv2(y)), inplace=True)
        y = self.bn3(self.conv3(y))
        return F.relu(y + (x if self.down is None else self.down(x)), inplace=True)


class _Segmenter(nn.Module):
    """stem -> four stages (their outputs are the features) -> 1x1 head -> upsampled logits."""

    stem: nn.Module
    stages: nn.ModuleList
    head: nn.Conv2d

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        size = x.shape[-2:]
        x = self.stem(normalise(x))
        feats = []
        for stage in self.stages:
            x = stage(x)
            feats.append(x)
        logits = F.interpolate(self.head(x), size=size, mode="bilinear", align_corners=False)
        return logits, feats


class ResNetSegmenter(_Segmenter):
    """The paper's layout; see the module docstring. Stages 3 and 4 keep 1/8 resolution
    with dilations 2 and 4 (as DeepLab) so that their receptive field still grows."""

    blocks = (3, 4, 6, 3)
    strides = (2, 1, 1, 1)
    dilations = (1, 1, 2, 4)

    def __init__(self, config: SegmenterConfig) -> None:
        super().__init__()
        self.config = config
        base = max(8, round(64 * config.width))
        self.stem = nn.Sequential(nn.Conv2d(3, base, 7, 2, 3, bias=False), nn.BatchNorm2d(base),
                                  nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1))
        c_in, stages = base, []
        for i, (n, s, d) in enumerate(zip(self.blocks, self.strides, self.dilations,
                                          strict=True)):
            planes = base * 2**i
            layers = []
            for j in range(n):
                layers.append(_Bottleneck(c_in, planes, s if j == 0 else 1, d))
                c_in = planes * _Bottleneck.expansion
            stages.append(nn.Sequential(*layers))
        self.stages = nn.ModuleList(stages)
        self.head = nn.Conv2d(c_in, config.n_classes, 1)  # the paper's 1x1 in place of pooling


def normalise(image: torch.Tensor) -> torch.Tensor:
    """[0, 1] images -> roughly zero-mean, unit-range network input."""
    return (image - 0.5) * 4.0


def _conv_bn(c_in: int, c_out: int, stride: int = 1, dilation: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, stride, dilation, dilation, bias=False),
            nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]


class LightSegmenter(_Segmenter):
    """Four stages of two 3x3 convolutions (strides 2, 2, 2, 1; the last dilated), the same
    1/8 output and x8 upsampling as the paper's layout, ~1/40 of its multiply-adds at width 1."""

    def __init__(self, config: SegmenterConfig) -> None:
        super().__init__()
        self.config = config
        c = [round(ch * config.width) for ch in (16, 32, 64, 96)]
        self.stem = nn.Identity()  # the first stage downsamples itself
        self.stages = nn.ModuleList([
            nn.Sequential(*_conv_bn(3, c[0], 2), *_conv_bn(c[0], c[0])),
            nn.Sequential(*_conv_bn(c[0], c[1], 2), *_conv_bn(c[1], c[1])),
            nn.Sequential(*_conv_bn(c[1], c[2], 2), *_conv_bn(c[2], c[2])),
            nn.Sequential(*_conv_bn(c[2], c[3], 1, 2), *_conv_bn(c[3], c[3], 1, 4)),
        ])
        self.head = nn.Conv2d(c[3], config.n_classes, 1)


SEGMENTERS = {"resnet50": ResNetSegmenter, "light": LightSegmenter}


def build_segmenter(config: SegmenterConfig) -> nn.Module:
    if config.arch not in SEGMENTERS:
        raise ValueError(f"unknown segmenter {config.arch!r}; known: {', '.join(SEGMENTERS)}")
    return SEGMENTERS[config.arch](config)


def config_dict(config: ImitatorConfig | SegmenterConfig) -> dict:
    return asdict(config)
