"""The class diagram drawn as inline SVG: boxes in columns around the event class, property rows, arrows.

Drawn on the server, so the page runs no script and loads nothing. Colours come from site.css through classes
(the Content-Security-Policy allows no inline style); font and size are presentation attributes, so the text
measures the same whatever a style sheet does. The text is monospaced: a line is as wide as its characters,
and wrapping needs no browser.

The event class stands in the middle column. A box that an event's property points to stands one column to its
right, a box whose property points to events one column to its left, and so on outward, breadth first; a box
whose class is a sub-class of a box's class stands in that box's column. Within a column the boxes follow the
rows that point to them, and each box lists its rows in the order of what they point to, so arrows cross little.
Arrows are drawn to the next column only (within a column they would pile up beside it); every row also names its
targets as links.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from html import escape

from server.rdf.labels import KNOWN_TERMS, local_name
from server.rdf.terms import compact
from server.web.pages.diagram import OURS, OUTSIDE, SCHEME, Box, Link, Model
from server.web.pages.present import href
from server.web.pages.vocabulary import Vocabulary

FONT = "ui-monospace, SFMono-Regular, DejaVu Sans Mono, Menlo, Consolas, monospace"
SIZE = 12.0  # px of the text
SMALL = 11.0  # px of the secondary text (labels, chips, values)
ADVANCE = 0.61  # width of a character of a monospaced font, in em (0.60 for most; a little room)
LINE = 17.0
SMALL_LINE = 15.0
BOX_WIDTH = 270.0
PAD = 10.0
GAP = 66.0  # between columns, where the arrows run
BOX_GAP = 18.0
MARGIN = 12.0
CHIP_HEIGHT = 18.0
INDENT = 16.0  # of a row's continuation lines


@dataclass(frozen=True)
class Piece:
    """A run of text at a baseline; a link where `target` is set."""

    x: float
    y: float
    text: str
    css: str
    target: str | None = None
    title: str = ""
    small: bool = False


@dataclass(frozen=True)
class Chip:
    """A member class or concept as a labelled rectangle (a link where `target` is set)."""

    x: float
    y: float
    width: float
    text: str
    css: str
    target: str | None
    title: str


@dataclass
class Drawn:
    """A box measured (coordinates inside the box) and then placed (`x`, `y`)."""

    box: Box
    height: float
    pieces: list[Piece]
    chips: list[Chip]
    dividers: list[float]
    rows: dict[str, float]  # property -> the middle of its first line
    anchors: dict[str, float]  # the head and each member -> where an arrow ends
    column: int = -1  # until placed
    x: float = 0.0
    y: float = 0.0


@dataclass
class Layout:
    """Every box placed, and the size of the picture."""

    drawn: dict[str, Drawn]
    width: float
    height: float
    columns: dict[int, list[str]] = field(default_factory=dict)


def width_of(text: str, size: float = SIZE) -> float:
    """How wide a monospaced text is set, in px."""
    return len(text) * size * ADVANCE


def _name(iri: str) -> str:
    """The short name a box or row shows for a term (`gs:Departure`), as the pages write it everywhere."""
    return compact(iri)


def _flow(
    tokens: list[tuple[str, str, str | None, str]], y: float, small: bool = False, indent: float = INDENT
) -> tuple[list[Piece], float]:
    """Set tokens (text, css, link target, title) left to right, wrapping to the box's width; the last baseline."""
    size, line = (SMALL, SMALL_LINE) if small else (SIZE, LINE)
    space = width_of(" ", size)
    right = BOX_WIDTH - PAD
    x = PAD
    pieces = []
    for text, css, target, title in tokens:
        width = width_of(text, size)
        if x > PAD and x + width > right:
            x, y = PAD + indent, y + line
        pieces.append(Piece(x, y, text, css, target, title, small))
        x += width + space
    return pieces, y


def _term(vocab: Vocabulary, iri: str, css: str) -> tuple[str, str, str | None, str]:
    """A token naming a term, linked to its page, with its English label as the tooltip."""
    return (_name(iri), css, href(iri), vocab.label(iri, "en"))


def _subtitle(vocab: Vocabulary, box: Box) -> str:
    if box.kind == SCHEME:
        return f"SKOS concept scheme, {box.concepts} concepts"
    name = vocab.label(box.head, "en") if box.kind == OURS else KNOWN_TERMS.get(box.head, local_name(box.head))
    return name if box.kind == OURS else f"{name} (another vocabulary)"


def measure(box: Box, vocab: Vocabulary) -> Drawn:
    """Lay out one box's content from its top left corner; `y` follows the baseline of the last line set."""
    pieces: list[Piece] = []
    chips: list[Chip] = []
    dividers: list[float] = []
    rows: dict[str, float] = {}
    y = PAD + SIZE
    pieces.append(Piece(PAD, y, _name(box.head), "title", href(box.head), vocab.label(box.head, "en")))
    anchors = {box.head: y - SIZE * 0.35}
    found, y = _flow([(_subtitle(vocab, box), "faint", None, "")], y + SMALL_LINE, small=True, indent=0)
    pieces.extend(found)
    if box.parents:
        tokens = [("subclass of", "faint", None, ""), *(_term(vocab, parent, "term") for parent in box.parents)]
        found, y = _flow(tokens, y + SMALL_LINE, small=True)
        pieces.extend(found)
    if box.members:
        x, top = PAD, y + 8
        for member in box.members:
            text = _name(member)
            width = width_of(text, SMALL) + 10
            if x > PAD and x + width > BOX_WIDTH - PAD:
                x, top = PAD, top + CHIP_HEIGHT + 4
            css = "chip chip-" + local_name(member).lower()
            chips.append(Chip(x, top, width, text, css, href(member), vocab.label(member, "en")))
            anchors[member] = top + CHIP_HEIGHT / 2
            x += width + 4
        y = top + CHIP_HEIGHT - 4
    if box.links or box.values:
        dividers.append(y + 8)
        y += 6
    for link in box.links:
        tokens = [_term(vocab, link.property, "property"), ("→", "faint", None, "")]
        for index, target in enumerate(link.targets):
            if index:
                tokens.append(("or", "faint", None, ""))
            tokens.append(_term(vocab, target, "term"))
        rows[link.property] = y + LINE - SIZE * 0.35
        found, y = _flow(tokens, y + LINE)
        pieces.extend(found)
        if link.on:
            tokens = [("on", "faint", None, ""), *(_term(vocab, iri, "term") for iri in link.on)]
            found, y = _flow(tokens, y + SMALL_LINE, small=True)
            pieces.extend(found)
    if box.values:
        tokens = [("values:", "faint", None, ""), *(_term(vocab, iri, "value") for iri in box.values)]
        found, y = _flow(tokens, y + LINE, small=True)
        pieces.extend(found)
    return Drawn(box, y + PAD - 2, pieces, chips, dividers, rows, anchors)


def columns(model: Model) -> dict[str, int]:
    """Each box's column, breadth first from the hub: +1 for what a box points to, -1 for what points to it."""
    order = {head: index for index, head in enumerate(sorted(model.boxes, key=_name))}
    out: dict[str, set[str]] = defaultdict(set)
    into: dict[str, set[str]] = defaultdict(set)
    under: dict[str, list[str]] = defaultdict(list)
    for head, box in model.boxes.items():
        for link in box.links:
            for target in link.targets:
                other = model.box_of[target]
                if other != head:
                    out[head].add(other)
                    into[other].add(head)
        for parent in box.parents:
            if parent in model.boxes:
                under[parent].append(head)
    found: dict[str, int] = {}
    queue: list[str] = []

    def place(head: str, column: int) -> None:
        found[head] = column
        queue.append(head)
        for child in sorted(under[head], key=order.__getitem__):
            if child not in found:
                place(child, column)

    if model.hub in model.boxes:
        place(model.hub, 0)
    while queue:
        head = queue.pop(0)
        for other in sorted(out[head], key=order.__getitem__):
            if other not in found:
                place(other, found[head] + 1)
        for other in sorted(into[head], key=order.__getitem__):
            if other not in found:
                place(other, found[head] - 1)
    return found


def layout(model: Model, vocab: Vocabulary) -> Layout:
    """Place every box: columns from `columns`, rows ordered by what they point to (two passes)."""
    first = _place(model, vocab, dict(model.boxes))
    ordered = {head: replace(box, links=_rows_in_order(box, model, first)) for head, box in model.boxes.items()}
    return _place(model, vocab, ordered)


def _rows_in_order(box: Box, model: Model, placed: Layout) -> list[Link]:
    """A box's rows by where their first target stands: arrows to the right leave in the order they arrive."""
    here = placed.drawn[box.head]

    def key(link: Link) -> tuple[int, float, str]:
        target = placed.drawn[model.box_of[link.targets[0]]]
        if target is here:
            return (2, 0.0, link.property)
        return (0 if target.column > here.column else 1, target.y + _anchor(target, link.targets[0]), link.property)

    return sorted(box.links, key=key)


def _place(model: Model, vocab: Vocabulary, boxes: dict[str, Box]) -> Layout:
    found = columns(model)
    drawn = {head: measure(box, vocab) for head, box in boxes.items()}
    loose = [head for head in boxes if head not in found]
    if found:
        low = min(found.values())
        found = {head: column - low for head, column in found.items()}
    count = max(found.values(), default=-1) + 1
    by_column: dict[int, list[str]] = {column: [] for column in range(max(count, 1))}
    for head, column in found.items():
        by_column[column].append(head)
    for head in sorted(loose, key=_name):  # boxes nothing links: to the shortest column
        shortest = min(by_column, key=lambda c: sum(drawn[h].height + BOX_GAP for h in by_column[c]))
        by_column[shortest].append(head)
    hub_column = found.get(model.hub, 0)
    sequence = [hub_column, *range(hub_column + 1, len(by_column)), *range(hub_column - 1, -1, -1)]
    for column in sequence:
        heads = by_column[column]
        if column == hub_column:
            heads.sort(key=lambda head: (head != model.hub, _name(head)))
        else:
            heads.sort(key=lambda head: (_barycentre(head, column, column < hub_column, drawn, model), _name(head)))
        heads[:] = _children_after_parents(heads, model)
        y = MARGIN
        for head in heads:
            box = drawn[head]
            box.column, box.x, box.y = column, MARGIN + column * (BOX_WIDTH + GAP), y
            y += box.height + BOX_GAP
    width = MARGIN * 2 + len(by_column) * BOX_WIDTH + (len(by_column) - 1) * GAP
    height = max((box.y + box.height for box in drawn.values()), default=0) + MARGIN
    return Layout(drawn, width, height, by_column)


def _children_after_parents(heads: list[str], model: Model) -> list[str]:
    """A box whose class is a sub-class of another box's class in the same column follows that box."""
    here = set(heads)
    parent_of = {head: next((p for p in model.boxes[head].parents if p in here and p != head), None) for head in heads}
    ordered: list[str] = []

    def put(head: str) -> None:
        if head in ordered:
            return
        ordered.append(head)
        for child in heads:
            if parent_of[child] == head:
                put(child)

    for head in heads:
        parent = parent_of[head]
        if parent is None or parent_of.get(parent) == head:  # a cycle is taken as it comes
            put(head)
    for head in heads:
        put(head)
    return ordered


def _anchor(drawn: Drawn, iri: str) -> float:
    return drawn.anchors.get(iri, drawn.anchors[drawn.box.head])


def _barycentre(head: str, column: int, left: bool, drawn: dict[str, Drawn], model: Model) -> float:
    """The mean height of the rows (in the column towards the hub) that link this box, or what it links there."""
    heights: list[float] = []
    neighbour = column + 1 if left else column - 1
    if left:
        box = drawn[head]
        for link in box.box.links:
            for target in link.targets:
                other = drawn[model.box_of[target]]
                if other.column == neighbour and other.box.head != head:
                    heights.append(other.y + _anchor(other, target))
    else:
        for other in drawn.values():
            if other.column != neighbour or other.box.head == head or other.box.head not in model.boxes:
                continue
            for link in other.box.links:
                if any(model.box_of[target] == head for target in link.targets) and link.property in other.rows:
                    heights.append(other.y + other.rows[link.property])
    return sum(heights) / len(heights) if heights else math.inf


# --------------------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------------------


def arrows(model: Model, placed: Layout) -> list[str]:
    """The path of each arrow: from a row to the box it points to in the next column."""
    paths = []
    for here in placed.drawn.values():
        for link in here.box.links:
            for target in link.targets:
                there = placed.drawn[model.box_of[target]]
                if there is here or link.property not in here.rows:
                    continue
                x1, y1 = here.x + BOX_WIDTH, here.y + here.rows[link.property]
                y2 = there.y + _anchor(there, target)
                if there.column == here.column + 1:
                    x2, bend = there.x, GAP / 2
                    paths.append(
                        f"M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
                    )
    return paths


def render(model: Model, vocab: Vocabulary, title: str = "The event model of GovSocial KG") -> str:
    """The whole diagram as an <svg> element for a page."""
    placed = layout(model, vocab)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="model-diagram" viewBox="0 0 {placed.width:.0f} '
        f'{placed.height:.0f}" width="{placed.width:.0f}" height="{placed.height:.0f}" role="group" '
        f'aria-labelledby="model-diagram-title" font-family="{FONT}" font-size="{SIZE:g}">',
        f'<title id="model-diagram-title">{escape(title)}</title>',
        '<defs><marker id="model-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" '
        'orient="auto"><path d="M0,0 L8,4 L0,8 z"/></marker></defs>',
        '<g class="edges">',
        *(f'<path class="edge" d="{path}" marker-end="url(#model-arrow)"/>' for path in arrows(model, placed)),
        "</g>",
    ]
    for drawn in placed.drawn.values():
        out.append(_box(drawn, drawn.box.head == model.hub))
    out.append("</svg>")
    return "\n".join(out)


def _box(drawn: Drawn, hub: bool) -> str:
    kind = {OURS: "box-ours", OUTSIDE: "box-outside", SCHEME: "box-scheme"}[drawn.box.kind]
    css = f"box {kind} box-hub" if hub else f"box {kind}"
    anchor = local_name(drawn.box.head)
    parts = [
        f'<g class="{css}" data-head="{escape(drawn.box.head)}" id="model-{escape(anchor)}" '
        f'transform="translate({drawn.x:.1f},{drawn.y:.1f})">',
        f'<rect class="frame" width="{BOX_WIDTH:g}" height="{drawn.height:.1f}" rx="6"/>',
    ]
    parts.extend(f'<line class="divider" x1="0" x2="{BOX_WIDTH:g}" y1="{y:.1f}" y2="{y:.1f}"/>' for y in drawn.dividers)
    for chip in drawn.chips:
        inner = (
            f'<rect width="{chip.width:.1f}" height="{CHIP_HEIGHT:g}" rx="9"/>'
            f'<text x="{chip.width / 2:.1f}" y="{CHIP_HEIGHT - 5:g}" text-anchor="middle" font-size="{SMALL:g}">'
            f"{escape(chip.text)}</text>"
        )
        group = f'<g class="{escape(chip.css)}" transform="translate({chip.x:.1f},{chip.y:.1f})">{inner}</g>'
        parts.append(_linked(group, chip.target, chip.title))
    for piece in drawn.pieces:
        size = f' font-size="{SMALL:g}"' if piece.small else ""
        text = f'<text class="{piece.css}" x="{piece.x:.1f}" y="{piece.y:.1f}"{size}>{escape(piece.text)}</text>'
        parts.append(_linked(text, piece.target, piece.title))
    parts.append("</g>")
    return "".join(parts)


def _linked(element: str, target: str | None, title: str) -> str:
    """An element inside a link to `target` (with a tooltip), or as it is when it links nowhere."""
    if not target:
        return element
    tooltip = f"<title>{escape(title)}</title>" if title else ""
    return f'<a href="{escape(target)}">{tooltip}{element}</a>'
