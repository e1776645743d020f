"""The story fixtures (``tests/fixtures/stories``) as engine documents, and a wire template."""

from __future__ import annotations

import random
import re
from pathlib import Path

from digest.dedup.engine import Doc, Engine, Params

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "stories"


def load(name: str, **kw: object) -> Doc:
    """The fixture ``name``: its first line is the title, the rest the text."""
    title, _, body = (FIX / f"{name}.txt").read_text(encoding="utf-8").partition("\n")
    return Doc(id=name, title=title, text=body, **kw)  # type: ignore[arg-type]


def stories_in_order(docs: list[Doc], params: Params, seed: int) -> set[frozenset[str]]:
    """The stories an engine with ``params`` makes of ``docs`` added in the order ``seed``
    shuffles them to, each as the set of its documents' ids."""
    order = docs[:]
    random.Random(seed).shuffle(order)
    eng = Engine(params)
    for d in order:
        eng.add(d)
    by_story: dict[str, set[str]] = {}
    for d in docs:
        by_story.setdefault(eng.story_of(d.id), set()).add(d.id)
    return {frozenset(s) for s in by_story.values()}


#: A wire template of a pirate attack: the same words around other names (``sea``, ``ship``,
#: ``officer``, ``port``), as templated reports of different events are.
PIRATES = (
    "A five-boat pirate attack on merchant vessels transiting the {sea} was foiled by the navy on "
    "Saturday, officials said. The pirates on two speed boats had surrounded the merchant vessel "
    "and fired on its bridge before the warship {ship} arrived and sent its helicopter with "
    "marine commandos on board. The attackers fled towards the coast after warning shots were "
    "fired, and no one on the merchant vessel was hurt, according to {officer}. The vessel was "
    "carrying a cargo of grain and had a crew of twenty one, who had locked themselves in a safe "
    "room as soon as the pirates were sighted. The warship has been escorting ships through the "
    "area for three months and has foiled several attempts in that time, the navy said in a "
    "statement issued from {port}."
)


#: Another earthquake reported from the same template as ``quake_a1``: the same words around
#: other names and numbers.
TEMPLATE = {
    "6.1": "5.4", "Taranaki": "Gisborne", "Opunake": "Tolaga", "4,000": "1,300", "4.12am": "11.40pm",
    "18": "25", "30": "12", "Mere": "Rawiri", "Tukino": "Paki", "20-metre": "8-metre",
    "New Plymouth": "Tokomaru Bay", "Powerco": "Eastland", "Manaia": "Ruatoria", "Anna": "John",
    "Berg": "Ristau", "40": "25", "4.3": "3.9",
}


def templated(doc: Doc, doc_id: str) -> Doc:
    """``doc`` with ``TEMPLATE``'s names and numbers swapped in: a templated report of another event."""

    def swap(text: str) -> str:
        return re.sub("|".join(sorted(map(re.escape, TEMPLATE), key=len, reverse=True)),
                      lambda m: TEMPLATE[m.group(0)], text)

    return Doc(id=doc_id, title=swap(doc.title), text=swap(doc.text))


def stories_of(order: tuple[str, ...], names: tuple[str, ...], params: Params) -> set[frozenset[str]]:
    """The fixtures ``order`` added in that order to an engine of ``params``: the stories the
    fixtures ``names`` end in, each as the set of its fixtures."""
    from digest.dedup.engine import Engine

    eng = Engine(params)
    for name in order:
        eng.add(load(name))
    stories: dict[str, set[str]] = {}
    for name in names:
        stories.setdefault(eng.story_of(name), set()).add(name)
    return {frozenset(s) for s in stories.values()}
