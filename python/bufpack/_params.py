"""The exact search's switches: one per technique, all on by default (MiniMalloc's, and two of
bufpack's own)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Tuple

from ._checks import describe
from ._errors import InputTypeError, InvalidInputError

__all__ = ["SolverParams"]

_KEYS = set("ACLOTUWZ")


@dataclass(frozen=True)
class SolverParams:
    """Every technique of the exact search as a switch, and the portfolio of orderings.

    All on by default. ``canonical_floor``, ``fill_holes``, ``ledges``, ``ordered_stacks``,
    ``limited_discrepancy``, ``flat_load``, ``release_floors``, ``aligned_stacks``,
    ``time_orderings``, ``handovers``, ``widen_windows``, ``peak_windows``, ``layers`` and ``hot_parts`` are bufpack's own techniques (they come
    last, so positional arguments keep MiniMalloc's order); with them off (:meth:`reference`) the search is MiniMalloc's.

    Each key string of ``preordering_heuristics`` ranks buffers by keys compared in turn, each
    descending: ``A`` area, ``C`` sections spanned, ``L`` lower, ``O`` overlap count, ``T``
    largest section total, ``U`` upper, ``W`` width, ``Z`` size.
    """

    canonical_only: bool = True
    """Place buffers in non-decreasing (offset, rank) order, so each packing is visited once."""
    section_inference: bool = True
    """Prune when a section's floor plus its unplaced sizes exceeds the capacity."""
    dynamic_ordering: bool = True
    """Try candidates by (lowest offset, rank) at every node."""
    check_dominance: bool = True
    """Skip a candidate whose offset is at or above the lowest top among candidates."""
    unallocated_floor: bool = True
    """Raise a section's floor to the lowest offset its unplaced members can take."""
    static_preordering: bool = True
    """Rank buffers by the key strings; otherwise input order."""
    dynamic_decomposition: bool = True
    """Split into independent subproblems when no unplaced buffer spans a section boundary."""
    monotonic_floor: bool = True
    """Raise every section's floor to the offset being placed."""
    hatless_pruning: bool = True
    """When a buffer with no unplaced neighbours fails, skip its siblings."""
    preordering_heuristics: Tuple[str, ...] = field(default=("WAT", "TAW", "TWA"))
    """The portfolio: one search per key string."""
    canonical_floor: bool = True
    """With ``unallocated_floor``, a buffer that sorts before the canonical level at its lowest
    offset counts as reaching only past it. Needs ``canonical_only``. bufpack's own, not in
    MiniMalloc."""
    fill_holes: bool = True
    """In a subproblem full to the capacity in every section (a perfect packing), branch on
    which buffer fills the lowest hole that fewest buffers can fill. Needs
    ``section_inference``; buffers without gaps, windows or fixed neighbours only. bufpack's
    own, not in MiniMalloc."""
    ledges: bool = True
    """With ``fill_holes``: a section's floor that no buffer can rest on exactly (a buffer
    reaching a lower run of sections needs a subset of that run's sizes to stack to the floor)
    ends the node. bufpack's own, not in MiniMalloc."""
    ordered_stacks: bool = True
    """With ``fill_holes``: two unaligned buffers of the same lifespan, one directly on the
    other, are tried in one order only. bufpack's own, not in MiniMalloc."""
    limited_discrepancy: bool = True
    """On a perfect packing (full to the capacity everywhere), each ordering also runs as a
    limited discrepancy search: trying a node's i-th candidate costs i, and iterations with a
    growing limit on a path's total start over until one decides. bufpack's own, not in
    MiniMalloc."""
    flat_load: bool = True
    """With ``fill_holes``: when the load is the same at every time and below the capacity,
    also searches at that height (a perfect packing, where no room may be wasted); a packing
    found there fits, a failure there proves nothing. bufpack's own, not in MiniMalloc."""
    release_floors: bool = True
    """With ``fill_holes``, where no room may be wasted: the buffers that can rest only at some
    level or higher (raised there by a higher floor elsewhere in their lives) must fit between
    it and the capacity, or the node is pruned. bufpack's own, not in MiniMalloc."""
    aligned_stacks: bool = True
    """Where a time has less room to spare than one of its buffers' alignment
    (or none, or a fixed buffer is in the way), its unplaced buffers must stack in its room
    in some order, each at a legal offset at or above its lowest, or the node is pruned.
    bufpack's own, not in MiniMalloc."""
    time_orderings: bool = True
    """With alignment, fixed buffers or raised windows: the portfolio also runs searches with
    the buffers ranked latest end first (``UWA``) and latest start first (``LWA``), after the
    orderings of ``preordering_heuristics``. bufpack's own, not in MiniMalloc."""
    handovers: bool = True
    """At a capacity: the portfolio also searches the problem with the buffers that form one
    rectangle in every packing (where memory is full just before a time, one ends there and
    those starting then fill exactly its room and end together, or the mirror) merged into
    one. Problems with gaps are left as they are. bufpack's own, not in MiniMalloc."""
    widen_windows: bool = True
    """During a gap, a buffer's bytes outside its window can be used only by buffers never live in
    full while it is; at the gap's times when none of those is live, it counts in full. The same
    packings, a higher load and lower bound (also in minimisation). bufpack's own, not in
    MiniMalloc."""
    peak_windows: bool = True
    """In a minimisation that the heuristics leave above the lower bound: the buffers live in
    windows of time doubling around the load's peak are packed at the bound first (stacked, else
    by the exact search within a counted budget), then kept there while the fast passes fill in
    the rest around them. A packing found is kept only when lower; failing proves nothing.
    bufpack's own, not in MiniMalloc (which does not minimise)."""
    layers: bool = True
    """On a problem whose load is the same at every time (a perfect packing, if any), before the
    search: split it into layers, sets of buffers whose own load is the same at every time,
    stacked one on another and split again, down to leaves the exact search packs within a
    counted budget; in a decision, and in a minimisation whose bound is the load. A packing
    found is validated; failing proves nothing. Problems with alignment, fixed buffers or gaps
    are left alone. bufpack's own, not in MiniMalloc."""
    hot_parts: bool = True
    """In a minimisation too large for the exact search whole: a part of the peaks pass's hot set
    (buffers live where the load is near its peak, whose lives meet) that no skyline order packs
    at the load is minimised on its own by the exact search within a counted budget, and packed
    that way when lower. bufpack's own, not in MiniMalloc (which does not minimise)."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            path = f"params.{f.name}"
            if f.name == "preordering_heuristics":
                if isinstance(value, str):
                    value = tuple(value.split(","))
                try:
                    keys = tuple(value)
                except TypeError:
                    raise InputTypeError(
                        f"{path}: expected a list of key strings such as 'WAT', found {describe(value)}",
                        path=path,
                    ) from None
                if not keys:
                    raise InvalidInputError(
                        f"{path}: expected at least one key string such as 'WAT'", path=path
                    )
                for index, key in enumerate(keys):
                    if not isinstance(key, str):
                        raise InputTypeError(
                            f"{path}[{index}]: expected a key string, found {describe(key)}",
                            path=f"{path}[{index}]",
                        )
                    letters = key.strip()
                    bad = [c for c in letters if c not in _KEYS]
                    if not letters or bad:
                        raise InvalidInputError(
                            f"{path}[{index}]: expected letters among A, C, L, O, T, U, W, Z, found {key!r}",
                            path=f"{path}[{index}]",
                        )
                object.__setattr__(self, f.name, tuple(k.strip() for k in keys))
            elif not isinstance(value, bool):
                raise InputTypeError(f"{path}: expected True or False, found {describe(value)}", path=path)

    @classmethod
    def reference(cls) -> "SolverParams":
        """MiniMalloc's search: its nine techniques on, bufpack's own off.

        For comparing with MiniMalloc node for node, or following its paper; the defaults
        are faster on perfect packings."""
        return cls(
            canonical_floor=False,
            fill_holes=False,
            ledges=False,
            ordered_stacks=False,
            limited_discrepancy=False,
            flat_load=False,
            release_floors=False,
            aligned_stacks=False,
            time_orderings=False,
            handovers=False,
            widen_windows=False,
            peak_windows=False,
            layers=False,
            hot_parts=False,
        )

    @classmethod
    def all_off(cls) -> "SolverParams":
        """Every technique off: the plain depth-first search."""
        return cls(
            canonical_only=False,
            section_inference=False,
            dynamic_ordering=False,
            check_dominance=False,
            unallocated_floor=False,
            static_preordering=False,
            dynamic_decomposition=False,
            monotonic_floor=False,
            hatless_pruning=False,
            canonical_floor=False,
            fill_holes=False,
            ledges=False,
            ordered_stacks=False,
            limited_discrepancy=False,
            flat_load=False,
            release_floors=False,
            aligned_stacks=False,
            time_orderings=False,
            handovers=False,
            widen_windows=False,
            peak_windows=False,
            layers=False,
            hot_parts=False,
        )
