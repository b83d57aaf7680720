"""Find relevance and calculation that go round in a circle: a needs b needs a.

ODK refuses such a form ("Cycle detected in form's relevant and calculation
logic", ODK Validate 4.5): no order of evaluation can settle it. The same
dependencies are drawn here as JavaRosa draws them: a question or group
depends on what its ``relevant`` and ``calculation`` refer to, and everything
in a group depends on the group, whose relevance it inherits. A constraint
only accepts or refuses the answer it sits on, and a default is a fixed
value, so neither can close a circle; a reference to a later question is
no circle either, and loads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from surveys.questionnaire.model import Question, Section

#: The fields whose references a value waits for, in the order they are named.
DEPENDING_FIELDS = ("relevant", "calculation")
INSIDE = "inside"


@dataclass(frozen=True)
class Step:
    """One dependency of a circle: ``name``'s ``field`` needs ``needs``."""

    name: str
    field: str
    needs: str

    def __str__(self) -> str:
        if self.field == INSIDE:
            return f"{self.name} is inside group {self.needs}"
        return f"the {self.field} of {self.name} refers to {self.needs}"


def circles(items: Iterable[Question | Section]) -> list[list[Step]]:
    """Return one circle per knot of dependencies, in the order of the form."""
    placed = list(_with_parents(items, None))
    # A name used twice is refused by itself; its dependencies are ambiguous.
    names = Counter(item.name for item, _ in placed)
    graph: dict[str, list[Step]] = {}
    for item, parent in placed:
        if names[item.name] > 1:
            continue
        steps = graph.setdefault(item.name, [])
        for field in DEPENDING_FIELDS:
            expression = getattr(item, field, None)
            if expression is not None:
                steps += [
                    Step(item.name, field, n) for n in sorted(expression.references)
                ]
        if parent is not None:
            steps.append(Step(item.name, INSIDE, parent))
    order = {name: place for place, name in enumerate(graph)}
    found = []
    for knot in _knots(graph):
        start = min(knot, key=order.__getitem__)
        if circle := _circle_from(graph, start, knot):
            found.append(circle)
    return sorted(found, key=lambda circle: order[circle[0].name])


def _with_parents(
    items: Iterable[Question | Section], parent: str | None
) -> Iterator[tuple[Question | Section, str | None]]:
    for item in items:
        yield item, parent
        if isinstance(item, Section):
            yield from _with_parents(item.items, item.name)


def _knots(graph: dict[str, list[Step]]) -> list[set[str]]:
    """Split the graph into its strongly connected parts (Tarjan, without recursion).

    Linear in the size of the form, so a long chain of calculations costs no
    more than a short one.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    knots: list[set[str]] = []

    def visit(name: str) -> Iterator[Step]:
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        return iter(graph[name])

    for root in graph:
        if root in index:
            continue
        work = [(root, visit(root))]
        while work:
            name, steps = work[-1]
            for step in steps:
                if step.needs not in graph:
                    continue
                if step.needs not in index:
                    work.append((step.needs, visit(step.needs)))
                    break
                if step.needs in on_stack:
                    low[name] = min(low[name], index[step.needs])
            else:
                work.pop()
                if work:
                    caller = work[-1][0]
                    low[caller] = min(low[caller], low[name])
                if low[name] == index[name]:
                    knot = set()
                    member = None
                    while member != name:
                        member = stack.pop()
                        on_stack.discard(member)
                        knot.add(member)
                    knots.append(knot)
    return knots


def _circle_from(
    graph: dict[str, list[Step]], start: str, knot: set[str]
) -> list[Step] | None:
    """Find the shortest way from ``start`` back to itself within its knot."""
    came_by: dict[str, Step] = {}
    frontier = [start]
    while frontier:
        following = []
        for name in frontier:
            for step in graph[name]:
                if step.needs == start:
                    path = [step]
                    while path[0].name != start:
                        path.insert(0, came_by[path[0].name])
                    return path
                if step.needs in knot and step.needs not in came_by:
                    came_by[step.needs] = step
                    following.append(step.needs)
        frontier = following
    return None
