"""Emotion presets: a preset is a whole expression, setting its own AUs and clearing the AUs
the other presets name (and AU10), and leaving every other AU to the photo; "neutral" clears
every AU but the regressor-read ones no preset names."""

from __future__ import annotations

import pytest

from auedit.rig.expressions import AU_PARAMETER_KEYS, AU_PARAMETERS
from auedit.synth.base import expand_targets
from auedit.synth.presets import EMOTION_KEYS, PRESETS, preset, preset_targets

#: The AUs some preset names, as docs/synthesis.md lists them.
DOCUMENTED = {"AU1", "AU2", "AU4", "AU5", "AU6", "AU7", "AU9", "AU12", "AU14", "AU15", "AU16",
              "AU20", "AU23", "AU26"} | {"AU10"}  # AU10: MediaPipe reads toothy smiles as it


def _facs(key: str) -> str:
    return next(p.facs for p in AU_PARAMETERS if p.key == key)


def test_anger_clears_a_smile_and_leaves_unnamed_aus_out():
    anger = preset_targets("anger")
    assert anger["AU12L"] == anger["AU12R"] == 0.0
    assert anger["AU6L"] == anger["AU6R"] == 0.0
    assert anger["AU4L"] == anger["AU4R"] == 4.0 and anger["AU23"] == 3.5
    for kept in ("AU45L", "AU45R", "AU25", "AU17", "AU30L", "AU30R", "AU28U"):
        assert kept not in anger
    assert anger["AU10L"] == anger["AU10R"] == 0.0  # a toothy smile's bared teeth go too


def test_happiness_clears_a_frown():
    happiness = preset_targets("happiness")
    assert happiness["AU4L"] == happiness["AU4R"] == 0.0
    assert happiness["AU12L"] == happiness["AU12R"] == 4.0
    assert happiness["AU26"] == 0.0  # surprise and fear drop the jaw: named, so cleared


def test_contempt_zeroes_the_other_side():
    contempt = preset_targets("contempt")
    assert contempt["AU12R"] == 3.0 and contempt["AU14R"] == 4.0
    assert contempt["AU12L"] == 0.0 and contempt["AU14L"] == 0.0
    assert preset_targets("happiness")["AU14L"] == preset_targets("happiness")["AU14R"] == 0.0


@pytest.mark.parametrize("name", sorted(set(PRESETS) - {"neutral"}))
def test_every_preset_keeps_its_own_values_and_clears_the_rest(name):
    targets = preset_targets(name)
    own = expand_targets(PRESETS[name])
    assert {k: targets[k] for k in own} == own
    assert set(targets) == set(EMOTION_KEYS)
    assert all(v == 0.0 for k, v in targets.items() if k not in own)
    assert all(v > 0.0 for v in own.values())
    assert preset_targets(name.upper()) == targets
    assert preset(name) == PRESETS[name]  # the table itself is unchanged


def test_emotion_keys_are_the_presets_aus_on_both_sides():
    assert set(EMOTION_KEYS) <= set(AU_PARAMETER_KEYS)
    assert {_facs(k) for k in EMOTION_KEYS} == DOCUMENTED
    for key in AU_PARAMETER_KEYS:  # every side of a named AU, nothing else
        assert (key in EMOTION_KEYS) == (_facs(key) in DOCUMENTED), key


def test_unknown_preset_names_the_known_ones():
    with pytest.raises(KeyError, match="happiness"):
        preset_targets("joy")


def test_neutral_clears_every_au_but_the_regressor_read_ones_no_preset_names():
    from auedit.synth.geometric import REGRESSOR_AUS

    neutral = preset_targets("neutral")
    assert set(neutral.values()) == {0.0} and set(EMOTION_KEYS) <= set(neutral)
    for key in ("AU25", "AU26", "AU45L", "AU45R", "AU28U", "AU30L", "AU10L"):
        assert key in neutral  # lips closed, eyes open, nothing left of an expression
    left = set(AU_PARAMETER_KEYS) - set(neutral)
    assert left and {_facs(k) for k in left} <= REGRESSOR_AUS  # AU17, AU18, AU24: the photo's
