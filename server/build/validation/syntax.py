"""The first check of a build: every input parses with the parser the store uses."""

from __future__ import annotations

from collections import defaultdict

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
    files_of: FileIndex = defaultdict(list)
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
