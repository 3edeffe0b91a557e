"""Flowables for the directions pages: blocks in two balanced columns, blocks that never split."""

from __future__ import annotations

from reportlab.platypus import Flowable


class Columns(Flowable):
    """A full-width heading, then unbreakable blocks in two columns, split across pages.

    Columns are balanced when everything fits. The heading goes with the first part and never
    ends a page alone. A small replacement for reportlab's ``BalancedColumns``, which tries
    many splits (slow with hundreds of directions) and cannot hold ``KeepTogether``.
    """

    def __init__(self, blocks: list[Flowable], *, gap: float, head: Flowable | None = None) -> None:
        super().__init__()
        self.blocks, self.gap, self.head = blocks, gap, head
        self._heights: list[float] = []
        self._head_h = 0.0
        self._cols: tuple[int, int] = (0, 0)  # blocks in column 1, in both columns

    def _measure(self, col_w: float) -> list[float]:
        if len(self._heights) != len(self.blocks):
            self._heights = [
                b.wrapOn(self.canv, col_w, 1e6)[1] + b.getSpaceBefore() for b in self.blocks
            ]
        return self._heights

    def _pack(self, col_w: float, avail: float) -> tuple[int, int]:
        h = self._measure(col_w)
        total, run = sum(h), 0.0
        best: tuple[float, int] | None = None
        for k in range(len(h) + 1):  # everything fits: the split with the shortest columns
            if (
                run <= avail
                and total - run <= avail
                and (best is None or max(run, total - run) <= best[0])
            ):
                best = (max(run, total - run), k)
            run += h[k] if k < len(h) else 0.0
        if best is not None:
            return best[1], len(h)
        k1 = _fill(h, 0, avail)
        return k1, _fill(h, k1, avail)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        col_w = (avail_width - self.gap) / 2
        h = self._measure(col_w)
        self._head_h = self.head.wrapOn(self.canv, avail_width, 1e6)[1] if self.head else 0.0
        k1, k2 = self._cols = self._pack(col_w, avail_height - self._head_h)
        self.width = avail_width
        if k2 < len(h):
            return avail_width, avail_height + 1  # ask to be split
        self.height = self._head_h + max(sum(h[:k1]), sum(h[k1:k2]))
        return avail_width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        _, k2 = self._cols
        if k2 == 0:
            return []  # not even the heading and one block: all to the next page
        return [
            Columns(self.blocks[:k2], gap=self.gap, head=self.head),
            Columns(self.blocks[k2:], gap=self.gap),
        ]

    def draw(self) -> None:
        col_w = (self.width - self.gap) / 2
        k1, k2 = self._cols
        top = self.height - self._head_h
        if self.head is not None:
            self.head.drawOn(self.canv, 0, top)
        for col, (lo, hi) in enumerate(((0, k1), (k1, k2))):
            y = top
            for b, h in zip(self.blocks[lo:hi], self._heights[lo:hi]):
                y -= h
                b.wrapOn(self.canv, col_w, 1e6)
                b.drawOn(self.canv, col * (col_w + self.gap), y)


def _fill(heights: list[float], start: int, avail: float) -> int:
    """Index after the last block from ``start`` that fits in ``avail``."""
    run, k = 0.0, start
    while k < len(heights) and run + heights[k] <= avail:
        run += heights[k]
        k += 1
    return k


class Unbreakable(Flowable):
    """Flowables stacked as one block that moves to the next column instead of splitting.

    (``KeepTogether`` cannot be used inside ``BalancedColumns``.)
    """

    def __init__(self, parts: list[Flowable]) -> None:
        super().__init__()
        self.parts = parts
        self._sizes: list[tuple[float, float, float]] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._sizes = []
        for k, part in enumerate(self.parts):
            w, h = part.wrapOn(self.canv, avail_width, avail_height)
            self._sizes.append((w, h, part.getSpaceBefore() if k else 0.0))
        self.width = avail_width
        self.height = sum(h + gap for _, h, gap in self._sizes)
        return self.width, self.height

    def getSpaceBefore(self) -> float:
        return self.parts[0].getSpaceBefore()

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        y = self.height
        for part, (_, h, gap) in zip(self.parts, self._sizes):
            y -= h + gap
            part.drawOn(self.canv, 0, y)
