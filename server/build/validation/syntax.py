"""Syntax: every input parses with the parser the store uses; and which file states what about each IRI.

The build checks the syntax by loading (load_problem words what the loader refused); `check_syntax` parses
without a store, for the tests' reference validation. The index of files per subject is needed only to word a
refusal, so the build asks for it lazily (SubjectFiles): a build that passes never parses a file twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping

import pyoxigraph
from pyoxigraph import NamedNode

from server.build.inputs import InputFile
from server.build.validation.problems import FileIndex, Problem

#: The longest single term (literal or IRI) the store's parser reads: it holds one term in a buffer of at
#: most 16 MiB and stops with a MemoryError beyond that, so loading such a file could never succeed.
MAX_TERM_BYTES = 16 * 1024 * 1024
TERM_TOO_LONG = (
    f"a literal or IRI is longer than {MAX_TERM_BYTES // (1024 * 1024)} MiB, the most the store's parser "
    "reads as one term; shorten it, or publish such text as a file of its own and link to it"
)


def check_syntax(inputs: list[InputFile]) -> tuple[list[Problem], FileIndex]:
    """Parse every file with the parser the store uses; report each file's first error.

    The same pass records which file states what about each IRI, for the reports that follow.
    """
    problems = []
    files_of: dict[str, list[str]] = defaultdict(list)
    for item in inputs:
        subjects: set[str] = set()
        try:
            for quad in pyoxigraph.parse(path=str(item.path), format=item.format):
                if isinstance(quad.subject, NamedNode):
                    subjects.add(quad.subject.value)
        except SyntaxError as error:
            problems.append(Problem(item.name, "", f"syntax error: {error.msg}"))
            continue
        except MemoryError as error:
            if not _term_too_long(error):
                raise
            problems.append(Problem(item.name, "", TERM_TOO_LONG))
            continue
        for subject in subjects:
            files_of[subject].append(item.name)
    return problems, dict(files_of)


def _term_too_long(error: MemoryError) -> bool:
    """Whether the parser stopped at a term longer than its buffer, rather than the process running out of memory."""
    return "buffer maximal size" in str(error)


def load_problem(item: InputFile, error: SyntaxError | MemoryError) -> Problem:
    """The problem a file is when the store's loader refused it; a MemoryError other than a long term is re-raised."""
    if isinstance(error, SyntaxError):
        return Problem(item.name, "", f"syntax error: {error.msg}")
    if not _term_too_long(error):
        raise error
    return Problem(item.name, "", TERM_TOO_LONG)


class SubjectFiles(Mapping[str, list[str]]):
    """For each IRI, the input files in which it is a subject; the files are parsed on the first lookup only."""

    def __init__(self, inputs: list[InputFile]):
        self._inputs = inputs
        self._index: FileIndex | None = None

    def _built(self) -> FileIndex:
        if self._index is None:
            self._index = check_syntax(self._inputs)[1]
        return self._index

    def __getitem__(self, iri: str) -> list[str]:
        return self._built()[iri]

    def __iter__(self) -> Iterator[str]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())
