"""The AU catalogue and intensity letters (numpy only: no Qt, no mediapipe)."""

from __future__ import annotations

import math
import sys

import pytest

from auedit.core import aus
from auedit.core.aus import (
    ACTION_UNITS,
    ALL_KEYS,
    ARKIT_BLENDSHAPES,
    AU_BY_KEY,
    AU_KEYS,
    SIDE_KEYS,
    get,
    intensity_letter,
    is_present,
)

EXPECTED_NUMBERS = (1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 16, 17, 18, 20, 22, 23, 24, 25, 26, 27,
                    28, 34, 43, 45)

EXPECTED_NAMES = {
    "AU1": "Inner Brow Raiser", "AU2": "Outer Brow Raiser", "AU4": "Brow Lowerer",
    "AU5": "Upper Lid Raiser", "AU6": "Cheek Raiser", "AU7": "Lid Tightener",
    "AU9": "Nose Wrinkler", "AU10": "Upper Lip Raiser", "AU12": "Lip Corner Puller",
    "AU14": "Dimpler", "AU15": "Lip Corner Depressor", "AU16": "Lower Lip Depressor",
    "AU17": "Chin Raiser", "AU18": "Lip Pucker", "AU20": "Lip Stretcher",
    "AU22": "Lip Funneler", "AU23": "Lip Tightener", "AU24": "Lip Pressor", "AU25": "Lips Part",
    "AU26": "Jaw Drop", "AU27": "Mouth Stretch", "AU28": "Lip Suck", "AU34": "Cheek Puff",
    "AU43": "Eyes Closed", "AU45": "Blink", "AU30L": "Jaw Sideways Left",
    "AU30R": "Jaw Sideways Right",
}


def test_core_imports_without_qt_or_mediapipe():
    import subprocess

    code = ("import sys, auedit.core.aus, auedit.core.types, auedit.core.calibration, "
            "auedit.core.smoothing, auedit.face.pose\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'mediapipe', 'cv2')]\n"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_all_expected_aus_exist_with_names():
    keys = set(AU_KEYS)
    for n in EXPECTED_NUMBERS:
        assert f"AU{n}" in keys, f"AU{n} missing from the catalogue"
    assert "AU30L" in keys and "AU30R" in keys
    assert len(AU_KEYS) == len(EXPECTED_NUMBERS) + 2
    assert len(set(AU_KEYS)) == len(ACTION_UNITS), "duplicate keys"
    for key, name in EXPECTED_NAMES.items():
        assert AU_BY_KEY[key].name == name


def test_jaw_sideways_shares_au30():
    left, right = AU_BY_KEY["AU30L"], AU_BY_KEY["AU30R"]
    assert left.number == right.number == 30
    assert left.openface == "AU30L" and right.openface == "AU30R"
    assert left.arkit == ("jawLeft",) and right.arkit == ("jawRight",)


def test_openface_column_stems_are_zero_padded():
    assert AU_BY_KEY["AU1"].openface == "AU01"
    assert AU_BY_KEY["AU12"].openface == "AU12"
    assert AU_BY_KEY["AU9"].openface == "AU09"


def test_sided_variants():
    sided = [au for au in ACTION_UNITS if au.sided]
    assert {"AU12", "AU6", "AU2", "AU4", "AU43", "AU45"} <= {au.key for au in sided}
    assert not AU_BY_KEY["AU1"].sided and not AU_BY_KEY["AU26"].sided
    assert len(SIDE_KEYS) == 2 * len(sided)
    for au in sided:
        assert au.side_key("L") == au.key + "L"
        assert au.side_key("R") == au.key + "R"
        assert au.key + "L" in SIDE_KEYS and au.key + "R" in SIDE_KEYS
        # sided AUs list the (left, right) blendshape pair, subject's left first
        assert len(au.arkit) == 2
        assert au.arkit[0].endswith("Left") and au.arkit[1].endswith("Right")
    assert ALL_KEYS == AU_KEYS + SIDE_KEYS
    with pytest.raises(ValueError, match="no left/right"):
        AU_BY_KEY["AU1"].side_key("L")
    with pytest.raises(ValueError, match="side must be"):
        AU_BY_KEY["AU12"].side_key("X")


def test_arkit_names_are_known_blendshapes():
    assert len(ARKIT_BLENDSHAPES) == 51
    assert len(set(ARKIT_BLENDSHAPES)) == len(ARKIT_BLENDSHAPES)
    for au in ACTION_UNITS:
        for name in au.arkit:
            assert name in ARKIT_BLENDSHAPES, f"{au.key}: unknown blendshape {name}"


def test_blendshape_list_is_mediapipes_51():
    # MediaPipe reports `_neutral` plus 51 of ARKit's 52 coefficients (no `tongueOut`).
    assert "_neutral" not in ARKIT_BLENDSHAPES
    assert "tongueOut" not in ARKIT_BLENDSHAPES
    assert {"jawOpen", "mouthSmileLeft", "mouthSmileRight", "eyeBlinkLeft"} <= set(
        ARKIT_BLENDSHAPES)


@pytest.mark.parametrize("key", ["12", "AU12", "au12", " AU12 ", "AU12L", "AU12R"])
def test_get_au12(key):
    assert get(key).key == "AU12"


@pytest.mark.parametrize("key", ["AU01", "1", "01", "AU1"])
def test_get_au1(key):
    assert get(key).key == "AU1"


def test_get_keeps_au10_and_au30():
    assert get("AU10").key == "AU10"
    assert get("10").key == "AU10"
    assert get("AU30L").key == "AU30L"
    assert get("AU30R").key == "AU30R"


@pytest.mark.parametrize("key", ["AU99", "AU3", "smile", "AU1L", ""])
def test_get_unknown_raises_clear_error(key):
    with pytest.raises(KeyError, match="unknown Action Unit"):
        get(key)


@pytest.mark.parametrize(
    ("value", "letter"),
    [(0.0, ""), (0.4, ""), (0.49, ""), (0.5, "A"), (0.7, "A"), (1.0, "A"), (1.6, "B"),
     (2.0, "B"), (3.0, "C"), (4.0, "D"), (5.0, "E"), (7.0, "E"), (-1.0, ""), (math.nan, "")],
)
def test_intensity_letter(value, letter):
    assert intensity_letter(value) == letter


def test_is_present():
    assert not is_present(0.99)
    assert is_present(1.0)
    assert not is_present(math.nan)


def test_module_exports_max_intensity():
    assert aus.MAX_INTENSITY == 5.0
