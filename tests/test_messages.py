"""Exceptions told in one short line (`auedit.core.messages`)."""

from auedit.core.messages import exception_summary


def test_a_long_message_is_cut_to_its_first_sentence():
    exc = RuntimeError("Weights only load failed. In PyTorch 2.6, we changed the default value "
                       "of the `weights_only` argument.\nRe-running `torch.load` with ...")
    assert exception_summary(exc) == "RuntimeError: Weights only load failed."
    assert exception_summary(KeyError()) == "KeyError"
    assert exception_summary(ValueError("one line\nsecond line")) == "ValueError: one line"
    assert len(exception_summary(ValueError("x" * 500))) == len("ValueError: ") + 160
