"""Find names in normalised text without scanning every name: an index from names to what they
name, looked up word by word (`NameIndex`), and the names of about the length of a misspelt word
(`LengthIndex`) for the fuzzy guess. Used by retrieval/countries.py, which has thousands of
place names and reads every message.

Normalised text (retrieval.safety.normalise) is words of letters and digits separated by single
spaces, so a name found at a word start and ending at a word end is a name "as a whole word"."""
from __future__ import annotations

from collections import Counter
from typing import Dict, Generic, Iterable, Iterator, List, NamedTuple, Sequence, Tuple, TypeVar

import numpy

Value = TypeVar("Value")


class NameMatch(NamedTuple):
    start: int  # in the text, where the first word (with its prefixes) starts
    end: int  # where the name ends
    name: str  # the name as indexed
    prefixes: Tuple[str, ...]  # attached to its first word ("ب" in "بليبيا"), in order


class NameIndex(Generic[Value]):
    """Names (normalised, one or more words) -> values. `find` gives, left to right, the longest name
    starting at each word, that word written as is or after one or two attached prefixes (the
    longest prefix first); the words of a name found are not searched again."""

    def __init__(self, names: Dict[str, Value], prefixes: Iterable[str] = ()) -> None:
        self.names = names
        self.longest = max((len(n.split()) for n in names), default=0)
        self.prefixes = sorted({p for p in prefixes if p}, key=len, reverse=True)

    def _stripped(self, word: str) -> Iterator[Tuple[str, Tuple[str, ...]]]:
        """`word`, then `word` without one prefix, then without two (each ordering longest first)."""
        yield word, ()
        ones = [(word[len(p):], (p,)) for p in self.prefixes if word.startswith(p) and len(word) > len(p)]
        yield from ones
        for rest, (first,) in ones:
            yield from ((rest[len(p):], (first, p)) for p in self.prefixes
                        if rest.startswith(p) and len(rest) > len(p))

    def find(self, text: str) -> List[NameMatch]:
        words = text.split(" ") if text else []
        starts, position = [], 0
        for word in words:
            starts.append(position)
            position += len(word) + 1
        found: List[NameMatch] = []
        i = 0
        while i < len(words):
            match = self._at(words, starts, i)
            if match is None:
                i += 1
                continue
            found.append(match)
            i += len(match.name.split())
        return found

    def _at(self, words: Sequence[str], starts: Sequence[int], i: int) -> "NameMatch | None":
        longest = min(self.longest, len(words) - i)
        for first, prefixes in self._stripped(words[i]):
            for size in range(longest, 0, -1):
                name = " ".join((first, *words[i + 1:i + size]))
                if name in self.names:
                    end = starts[i + size - 1] + len(words[i + size - 1])
                    return NameMatch(starts[i], end, name, prefixes)
        return None


class LengthIndex:
    """Names sorted by length, with their letter counts: `near(word, cutoff)` gives the only names
    that can be at least `cutoff` alike to `word` by difflib's ratio (2 * matches / total length):
    those of a length and with enough letters in common for it (difflib's real_quick_ratio and
    quick_ratio bounds, for all names at once instead of one comparison at a time)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = sorted(set(names), key=len)
        self.lengths = numpy.array([len(n) for n in self.names], dtype=numpy.int32)
        self.alphabet = {ch: i for i, ch in enumerate(sorted({ch for n in self.names for ch in n}))}
        self.counts = numpy.zeros((len(self.names), len(self.alphabet)), dtype=numpy.int32)
        for row, name in enumerate(self.names):
            for ch, n in Counter(name).items():
                self.counts[row, self.alphabet[ch]] = n

    def near(self, word: str, cutoff: float) -> List[str]:
        # 2 * min(a, b) / (a + b) >= cutoff  <=>  b in [a * cutoff / (2 - cutoff), a * (2 - cutoff) / cutoff]
        low = len(word) * cutoff / (2 - cutoff) if cutoff > 0 else 0
        high = len(word) * (2 - cutoff) / cutoff if cutoff > 0 else float("inf")
        first, last = int(numpy.searchsorted(self.lengths, low, "left")), int(numpy.searchsorted(self.lengths, high, "right"))
        letters = [(self.alphabet[ch], n) for ch, n in Counter(word).items() if ch in self.alphabet]
        if first >= last or not letters:
            return []
        columns = [i for i, _ in letters]
        common = numpy.minimum(self.counts[first:last, columns], numpy.array([n for _, n in letters])).sum(axis=1)
        alike = 2 * common >= cutoff * (len(word) + self.lengths[first:last])
        return [self.names[first + int(i)] for i in numpy.flatnonzero(alike)]
