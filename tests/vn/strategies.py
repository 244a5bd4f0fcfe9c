"""Hypothesis strategies for Vietnamese text: syllables built from the spelling rules, and names
drawn from the shipped name lists."""

from __future__ import annotations

from hypothesis import strategies as st

from doisoat.vn import FAMILY_NAMES, MIDDLE_NAMES, given_names, join_name
from doisoat.vn._alphabet import LETTERS, TONE_NANG, TONE_NONE, TONE_SAC, compose
from doisoat.vn.syllable import INITIALS, RHYMES, _tone_positions

VIETNAMESE_LETTERS = sorted(LETTERS)
_RHYMES = sorted(RHYMES)
_INITIALS = [i for i in INITIALS if i]


@st.composite
def syllables(draw: st.DrawFn) -> str:
    """A well-formed syllable: initial + rhyme + a tone the rhyme allows, at an allowed place."""
    initial = draw(st.sampled_from(["", *_INITIALS]))
    rhyme = draw(st.sampled_from(_RHYMES))
    stop = rhyme.endswith(("c", "ch", "p", "t"))
    tone = draw(st.sampled_from([TONE_SAC, TONE_NANG] if stop else list(range(6))))
    chars = list(rhyme)
    if tone != TONE_NONE:
        at = draw(st.sampled_from(sorted(_tone_positions(rhyme))))
        chars[at] = compose(chars[at], tone)
    return initial + "".join(chars)


def _style(word: str, style: str) -> str:
    if style == "upper":
        return word.upper()
    if style == "title":
        return word[:1].upper() + word[1:]
    return word


@st.composite
def vietnamese_text(draw: st.DrawFn) -> str:
    """One to five syllables in one case style, separated by spaces."""
    words = draw(st.lists(syllables(), min_size=1, max_size=5))
    style = draw(st.sampled_from(["lower", "title", "upper"]))
    return " ".join(_style(w, style) for w in words)


_FAMILIES = sorted(FAMILY_NAMES)


@st.composite
def full_names(draw: st.DrawFn, style: str | None = None) -> str:
    """A realistic full name: a family name, a middle name and a given name from the lists."""
    gender = draw(st.sampled_from(["M", "F"]))
    family = draw(st.sampled_from(_FAMILIES))
    middle = draw(st.sampled_from(sorted(MIDDLE_NAMES[gender])))
    given = draw(st.sampled_from(given_names(gender)))
    name = join_name(family, middle, given)
    style = style or draw(st.sampled_from(["title", "upper"]))
    return name.upper() if style == "upper" else name
