"""Emotion presets: a preset is a whole expression, setting its own AUs and clearing the AUs
the other presets name, and leaving every AU no preset names to the photo."""

from __future__ import annotations

import pytest

from auedit.rig.expressions import AU_PARAMETER_KEYS, AU_PARAMETERS
from auedit.synth.base import expand_targets
from auedit.synth.presets import EMOTION_KEYS, PRESETS, preset, preset_targets

#: The AUs some preset names, as docs/synthesis.md lists them.
DOCUMENTED = {"AU1", "AU2", "AU4", "AU5", "AU6", "AU7", "AU9", "AU12", "AU14", "AU15", "AU16",
              "AU20", "AU23", "AU26"}


def _facs(key: str) -> str:
    return next(p.facs for p in AU_PARAMETERS if p.key == key)


def test_anger_clears_a_smile_and_leaves_unnamed_aus_out():
    anger = preset_targets("anger")
    assert anger["AU12L"] == anger["AU12R"] == 0.0
    assert anger["AU6L"] == anger["AU6R"] == 0.0
    assert anger["AU4L"] == anger["AU4R"] == 4.0 and anger["AU23"] == 3.5
    for kept in ("AU45L", "AU45R", "AU25", "AU17", "AU30L", "AU30R", "AU10L", "AU28U"):
        assert kept not in anger


def test_happiness_clears_a_frown():
    happiness = preset_targets("happiness")
    assert happiness["AU4L"] == happiness["AU4R"] == 0.0
    assert happiness["AU12L"] == happiness["AU12R"] == 4.0
    assert happiness["AU26"] == 0.0  # surprise and fear drop the jaw: named, so cleared


def test_contempt_zeroes_the_other_side():
    contempt = preset_targets("contempt")
    assert contempt["AU12R"] == 2.5 and contempt["AU14R"] == 3.5
    assert contempt["AU12L"] == 0.0 and contempt["AU14L"] == 0.0
    assert preset_targets("happiness")["AU14L"] == preset_targets("happiness")["AU14R"] == 0.0


@pytest.mark.parametrize("name", sorted(PRESETS))
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


def test_neutral_clears_every_emotion_au():
    assert preset_targets("neutral") == dict.fromkeys(EMOTION_KEYS, 0.0)
