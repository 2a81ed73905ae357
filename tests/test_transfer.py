"""Expression transfer: A's identity with B's AUs and pose."""

from __future__ import annotations

import json

import cv2
import numpy as np
from auedit.resources import ROOT

from auedit.cli.main import main
from auedit.rig.model import RigParams
from auedit.transfer.expression import combine

DEMO = ROOT / "demo" / "astronaut.jpg"


def test_combine_takes_identity_from_a_and_expression_from_b():
    a, b = RigParams.neutral(1), RigParams.neutral(1)
    a.identity[:] = 0.2
    b.identity[:] = 0.9
    b.au[:] = 0.7
    b.pose[:] = 0.6
    out = combine(a, b)
    np.testing.assert_array_equal(out.identity, a.identity)
    np.testing.assert_array_equal(out.au, b.au)
    np.testing.assert_array_equal(out.pose, b.pose)


def test_transfer_cli_writes_render_and_parameters(tmp_path):
    flipped = tmp_path / "flipped.png"
    cv2.imwrite(str(flipped), cv2.imread(str(DEMO))[:, ::-1])
    out, params = tmp_path / "t.png", tmp_path / "t.json"
    assert main(["transfer", str(DEMO), str(flipped), "--out", str(out), "--size", "256",
                 "--json", str(params)]) == 0
    image = cv2.imread(str(out))
    assert image.shape == (256, 256, 3) and image.std() > 20  # a face, not a blank
    data = json.loads(params.read_text())
    assert set(data) >= {"pose_deg", "au", "identity"}
    assert data["au"]["AU12L"] > 0.2 and data["au"]["AU12R"] > 0.2  # B (the astronaut) smiles


def test_transfer_without_face_is_a_clear_error(tmp_path, capsys):
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((200, 200, 3), 127, np.uint8))
    assert main(["transfer", str(DEMO), str(blank), "--out", str(tmp_path / "x.png")]) == 2
    assert "no face found" in capsys.readouterr().err
