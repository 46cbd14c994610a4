"""course_lib.grading.checking: friendly exercise checks in Jupyter, hard failures under the grader (lab 00)."""
import pytest

from course_lib import grading
from course_lib.grading import checking


@pytest.fixture
def jupyter(monkeypatch):
    """A learner's notebook: neither nbgrader nor the course's strict test mode."""
    monkeypatch.delenv("COURSE_STRICT", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


def test_success_prints_a_tick_with_the_exercise_name(capsys):
    with checking("umeyama", hint="Centre both point sets."):
        assert 1 + 1 == 2
    out = capsys.readouterr().out
    assert "✓ umeyama" in out and "visible checks pass" in out, f"a passing check should print a ✓, got: {out!r}"
    assert "Hint" not in out, "a passing check should not print the hint"


def test_success_prints_a_tick_under_the_grader_too(capsys, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with checking("ex1"):
        pass
    assert "✓ ex1" in capsys.readouterr().out, "the grader's log should show which checks passed"


def test_failure_in_jupyter_prints_message_and_hint_and_does_not_raise(jupyter, capsys):
    with checking("umeyama", hint="Centre both point sets before the SVD."):
        assert False, "the rotation is off by 12 degrees"
    out = capsys.readouterr().out
    assert "✗ umeyama: not yet." in out, f"a failing check should print ✗ and the exercise name, got: {out!r}"
    assert "the rotation is off by 12 degrees" in out, "the assertion's own message should be shown"
    assert "Hint: Centre both point sets before the SVD." in out, "the hint should be shown"
    assert "carry on" in out, "the learner should be told the rest of the lab still works"


def test_failure_without_hint_prints_no_hint_line(jupyter, capsys):
    with checking("ex"):
        raise AssertionError()  # what a bare `assert x` raises in a notebook (pytest rewrites asserts)
    out = capsys.readouterr().out
    assert "an assertion failed" in out, f"a bare assert should still get a message, got: {out!r}"
    assert "Hint" not in out, "no hint line when no hint was given"


def test_other_exceptions_show_type_and_line_in_jupyter(jupyter, capsys):
    def exercise():
        return {}["missing"]

    with checking("ex"):
        exercise()
    out = capsys.readouterr().out
    assert "KeyError" in out and "line" in out and "exercise" in out, (
        f"a crash should say what went wrong and where, got: {out!r}"
    )


def test_not_implemented_gets_the_not_done_yet_message(jupyter, capsys):
    with checking("face_swap", hint="Start with the mask."):
        raise NotImplementedError
    out = capsys.readouterr().out
    assert "not done yet" in out and "NotImplementedError" in out, (
        f"an unfinished exercise should be called 'not done yet', got: {out!r}"
    )


def test_course_strict_zero_counts_as_not_strict(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_STRICT", "0")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    with checking("ex"):
        assert False
    assert "✗ ex" in capsys.readouterr().out, "COURSE_STRICT=0 should behave like a learner's notebook"


def test_failure_raises_under_nbgrader(monkeypatch, capsys):
    monkeypatch.delenv("COURSE_STRICT", raising=False)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(AssertionError, match="wrong"):
        with checking("ex", hint="h"):
            assert False, "wrong"
    assert "✗" not in capsys.readouterr().out, "under the grader the failure is raised, not printed"


def test_failure_raises_with_course_strict(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv("COURSE_STRICT", "1")
    with pytest.raises(ValueError, match="boom"):
        with checking("ex"):
            raise ValueError("boom")


def test_not_implemented_is_raised_under_the_grader(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    with pytest.raises(NotImplementedError):
        with checking("ex"):
            raise NotImplementedError


def test_keyboard_interrupt_is_never_swallowed(jupyter):
    with pytest.raises(KeyboardInterrupt):
        with checking("ex"):
            raise KeyboardInterrupt  # stopping the kernel must stop the cell


def test_strict_follows_the_environment(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_STRICT", raising=False)
    assert grading.strict() is False, "a learner's notebook is not strict"
    monkeypatch.setenv("COURSE_STRICT", "1")
    assert grading.strict() is True, "COURSE_STRICT=1 is strict"
    monkeypatch.delenv("COURSE_STRICT")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert grading.strict() is True, "nbgrader is strict"
