"""A solution draws itself for Jupyter: rectangles, the LOAD curve, height and capacity."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import numpy as np

import bufpack
from bufpack import Buffer, Gap, Problem

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_a_small_layout(small):
    solution = bufpack.solve(small)
    root = parse(solution._repr_svg_())
    rects = root.findall(f"{SVG}g/{SVG}rect")
    assert len(rects) == 5
    titles = [r.find(f"{SVG}title").text for r in rects]
    assert titles[0].startswith("b1: [0, 3)")
    text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "5 buffers" in text and "capacity 12" in text and "height" in text
    assert root.find(f"{SVG}path") is not None  # LOAD
    assert root.find(f"{SVG}line[@stroke-dasharray]") is not None  # capacity


def test_gaps_draw_as_pieces_and_ids_are_escaped():
    problem = Problem([Buffer("<a & b>", 0, 10, 8, gaps=[Gap(3, 7, (0, 2))]), Buffer("c", 3, 7, 6)])
    result = bufpack.minimize(problem)
    svg = result._repr_svg_()
    root = parse(svg)
    assert len(root.findall(f"{SVG}g/{SVG}rect")) == 4  # 3 pieces of the first, 1 of the second
    assert "&lt;a &amp; b&gt;" in svg
    assert "capacity" not in " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


def test_large_layouts_stay_small():
    n = 200_000
    rng = np.random.default_rng(1)
    lower = rng.integers(0, 100_000, n)
    problem = Problem.from_arrays(lower, lower + rng.integers(1, 100, n), rng.integers(1, 1000, n))
    solution = bufpack.run_heuristic(problem, "online/best-fit")
    svg = solution.to_svg(max_rects=2000)
    root = parse(svg)
    assert len(root.findall(f"{SVG}g/{SVG}rect")) == 2000
    assert "the 2000 largest of 200000 pieces drawn" in svg
    assert len(svg) < 600_000
    path = root.find(f"{SVG}path").get("d")
    assert len(re.findall("V", path)) <= 800
