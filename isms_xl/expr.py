"""A tiny expression language for computed columns.

One expression gives both the value Python computes and the Excel formula the template holds,
so the two cannot drift apart (a LibreOffice test recalculates the formulas and compares).

Blank cells are ``None`` in Python and ``""`` in Excel; every expression yields blank when the
inputs it needs are blank, because a half-filled row must not show a misleading number.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import and_
from typing import Any, Protocol

Refs = Callable[[str], str]  # column key -> A1 reference ("F6") or range ("B20:B27")


class Context(Protocol):
    """What an expression needs from the configured method (see method.Method)."""

    def risk_value(self, impact: float, threat: float, vulnerability: float) -> float: ...

    def risk_values(self, impacts: Sequence[float], threats: Sequence[float],
                    vulnerabilities: Sequence[float]) -> list[float]: ...

    def risk_excel(self, impact: str, threat: str, vulnerability: str) -> str: ...

    def band_label(self, value: float) -> str: ...

    def band_excel(self, ref: str) -> str: ...

    def setting(self, name: str) -> Any: ...


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _num(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_NUMBER_TYPES = frozenset({int, float})
# Types a type test tells numbers among as _num does (no subclass of int or float but bool).
_PLAIN_TYPES = frozenset({int, float, bool, str, type(None)})


def _numbers_only(column: Sequence[Any]) -> bool:
    """Every value a plain int or float (no blank, text or bool), judged in C: then a column's
    arithmetic needs no test per value."""
    return set(map(type, column)) <= _NUMBER_TYPES


def _lit(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


class Expr:
    """Base class: ``evaluate`` for Python, ``excel`` for the formula (without the leading '=')."""

    def evaluate(self, env: Mapping[str, Any], ctx: Context) -> Any:
        raise NotImplementedError

    def evaluate_column(self, columns: Mapping[str, Sequence[Any]], ctx: Context, n: int) -> list[Any]:
        """``evaluate`` for ``n`` rows at once, each input a column (a sequence of n values):
        the same values, a column at a time, without a dict per row. Raises
        NotImplementedError for expressions that read lists (column groups, embedded tables),
        which are evaluated row by row."""
        raise NotImplementedError

    def excel(self, refs: Refs, ctx: Context) -> str:
        raise NotImplementedError

    def inputs(self) -> set[str]:
        """Keys of the record this expression reads (to know which edits make it stale)."""
        return set()

    def formula(self, refs: Refs, ctx: Context) -> str:
        return "=" + self.excel(refs, ctx)


@dataclass(frozen=True)
class Ref(Expr):
    key: str

    def evaluate(self, env, ctx):
        value = env.get(self.key)
        return None if _blank(value) else value

    def evaluate_column(self, columns, ctx, n):
        col = columns.get(self.key)
        if col is None:
            return [None] * n
        if str not in set(map(type, col)):  # no text, so no blank text: the values as they are
            return list(col)
        return [None if v is None or (v.__class__ is str and v.strip() == "") else v for v in col]

    def excel(self, refs, ctx):
        return refs(self.key)

    def inputs(self):
        return {self.key}


@dataclass(frozen=True)
class Const(Expr):
    value: Any

    def evaluate(self, env, ctx):
        return self.value

    def evaluate_column(self, columns, ctx, n):
        return [self.value] * n

    def excel(self, refs, ctx):
        return _lit(self.value)


@dataclass(frozen=True)
class Setting(Expr):
    """A configured number (e.g. the B-17 pass ratio), written into the formula as a literal."""

    name: str

    def evaluate(self, env, ctx):
        return ctx.setting(self.name)

    def evaluate_column(self, columns, ctx, n):
        return [ctx.setting(self.name)] * n

    def excel(self, refs, ctx):
        return _lit(ctx.setting(self.name))


@dataclass(frozen=True)
class RiskValue(Expr):
    """The method's risk value; blank until all three levels are numbers."""

    impact: Expr
    threat: Expr
    vulnerability: Expr

    def evaluate(self, env, ctx):
        args = [e.evaluate(env, ctx) for e in (self.impact, self.threat, self.vulnerability)]
        if not all(_num(a) for a in args):
            return None
        return ctx.risk_value(*args)

    def evaluate_column(self, columns, ctx, n):
        parts = [e.evaluate_column(columns, ctx, n) for e in (self.impact, self.threat, self.vulnerability)]
        if all(map(_numbers_only, parts)):  # the usual register: every level filled in
            return ctx.risk_values(*parts)
        types = [list(map(type, part)) for part in parts]
        if set().union(*types) <= _PLAIN_TYPES:
            # Residual levels are blank on every accepted risk: the rows with three numbers
            # (told apart by type, in C) are computed as a column, the others are blank.
            numeric = [map(_NUMBER_TYPES.__contains__, t) for t in types]
            ok = list(map(and_, map(and_, numeric[0], numeric[1]), numeric[2]))
            values = iter(ctx.risk_values(*(list(compress(part, ok)) for part in parts)))
            return [next(values) if row_ok else None for row_ok in ok]
        value = ctx.risk_value
        return [value(i, t, v) if _num(i) and _num(t) and _num(v) else None for i, t, v in zip(*parts)]

    def excel(self, refs, ctx):
        parts = [e.excel(refs, ctx) for e in (self.impact, self.threat, self.vulnerability)]
        guard = ",".join(f"NOT(ISNUMBER({p}))" for p in parts)
        return f'IF(OR({guard}),"",{ctx.risk_excel(*parts)})'

    def inputs(self):
        return self.impact.inputs() | self.threat.inputs() | self.vulnerability.inputs()


@dataclass(frozen=True)
class Band(Expr):
    """The evaluation band label (原則受容 / 受容可能 / リスク対応) of a risk value."""

    value: Expr

    def evaluate(self, env, ctx):
        v = self.value.evaluate(env, ctx)
        return ctx.band_label(v) if _num(v) else None

    def evaluate_column(self, columns, ctx, n):
        values = self.value.evaluate_column(columns, ctx, n)
        try:
            kinds = set(map(type, values))
            distinct = set(values)
        except TypeError:  # an unhashable value: label them one by one
            kinds, distinct = {bool}, set()
        if bool not in kinds:  # (True would equal 1 as a key) each distinct number labelled once
            labels = {v: ctx.band_label(v) for v in distinct if _num(v)}  # 1 and 1.0 alike
            return list(map(labels.get, values))  # blanks and text: no label
        labels: dict[Any, str] = {}

        def label(v: Any) -> str | None:
            if not _num(v):
                return None
            if v not in labels:
                labels[v] = ctx.band_label(v)
            return labels[v]
        return list(map(label, values))

    def excel(self, refs, ctx):
        inner = self.value.excel(refs, ctx)
        return f'IF(ISNUMBER({inner}),{ctx.band_excel(inner)},"")'

    def inputs(self):
        return self.value.inputs()


@dataclass(frozen=True)
class Coalesce(Expr):
    """First non-blank of two (a residual impact that defaults to the impact)."""

    first: Expr
    fallback: Expr

    def evaluate(self, env, ctx):
        v = self.first.evaluate(env, ctx)
        return self.fallback.evaluate(env, ctx) if _blank(v) else v

    def evaluate_column(self, columns, ctx, n):
        first = self.first.evaluate_column(columns, ctx, n)
        fallback = self.fallback.evaluate_column(columns, ctx, n)
        if str not in set(map(type, first)):  # the only blank is None
            return [b if a is None else a for a, b in zip(first, fallback)]
        return [b if _blank(a) else a for a, b in zip(first, fallback)]

    def excel(self, refs, ctx):
        a = self.first.excel(refs, ctx)
        return f'IF({a}="",{self.fallback.excel(refs, ctx)},{a})'

    def inputs(self):
        return self.first.inputs() | self.fallback.inputs()


@dataclass(frozen=True)
class Product(Expr):
    """a × b, blank unless both are numbers."""

    left: Expr
    right: Expr

    def evaluate(self, env, ctx):
        a, b = self.left.evaluate(env, ctx), self.right.evaluate(env, ctx)
        return a * b if _num(a) and _num(b) else None

    def evaluate_column(self, columns, ctx, n):
        left, right = self.left.evaluate_column(columns, ctx, n), self.right.evaluate_column(columns, ctx, n)
        return [a * b if _num(a) and _num(b) else None for a, b in zip(left, right)]

    def excel(self, refs, ctx):
        a, b = self.left.excel(refs, ctx), self.right.excel(refs, ctx)
        return f'IF(AND(ISNUMBER({a}),ISNUMBER({b})),{a}*{b},"")'

    def inputs(self):
        return self.left.inputs() | self.right.inputs()


@dataclass(frozen=True)
class Ratio(Expr):
    """a / b, blank unless both are numbers and b is not zero (attendance rate)."""

    numerator: Expr
    denominator: Expr

    def evaluate(self, env, ctx):
        a, b = self.numerator.evaluate(env, ctx), self.denominator.evaluate(env, ctx)
        return a / b if _num(a) and _num(b) and b != 0 else None

    def evaluate_column(self, columns, ctx, n):
        top, bottom = self.numerator.evaluate_column(columns, ctx, n), self.denominator.evaluate_column(columns, ctx, n)
        return [a / b if _num(a) and _num(b) and b != 0 else None for a, b in zip(top, bottom)]

    def excel(self, refs, ctx):
        a, b = self.numerator.excel(refs, ctx), self.denominator.excel(refs, ctx)
        return f'IF(AND(ISNUMBER({a}),ISNUMBER({b})),IF({b}<>0,{a}/{b},""),"")'

    def inputs(self):
        return self.numerator.inputs() | self.denominator.inputs()


@dataclass(frozen=True)
class MaxOf(Expr):
    """Largest of the numbers given (blank when none is a number), e.g. asset value max(C, I, A)."""

    keys: tuple[str, ...]

    def evaluate(self, env, ctx):
        nums = [env.get(k) for k in self.keys if _num(env.get(k))]
        return max(nums) if nums else None

    def evaluate_column(self, columns, ctx, n):
        cols = [columns.get(k) or [None] * n for k in self.keys]
        out = []
        for row in zip(*cols):
            nums = [v for v in row if _num(v)]
            out.append(max(nums) if nums else None)
        return out

    def excel(self, refs, ctx):
        args = ",".join(refs(k) for k in self.keys)
        return f'IF(COUNT({args})=0,"",MAX({args}))'

    def inputs(self):
        return set(self.keys)


@dataclass(frozen=True)
class SumOf(Expr):
    """Sum of an embedded table's column (``refs`` gives its range); blank when it holds no number."""

    key: str

    def evaluate(self, env, ctx):
        nums = [v for v in env.get(self.key) or () if _num(v)]
        return sum(nums) if nums else None

    def excel(self, refs, ctx):
        rng = refs(self.key)
        return f'IF(COUNT({rng})=0,"",SUM({rng}))'

    def inputs(self):
        return {self.key}


@dataclass(frozen=True)
class LastOf(Expr):
    """The last number in a run of columns (the latest monthly actual)."""

    key: str  # a column group whose refs() is a one-row range

    def evaluate(self, env, ctx):
        nums = [v for v in env.get(self.key) or () if _num(v)]
        return nums[-1] if nums else None

    def excel(self, refs, ctx):
        rng = refs(self.key)
        # LOOKUP(2, 1/(cond), range) finds the last match without an array formula (Excel, LibreOffice).
        return f'IF(COUNT({rng})=0,"",LOOKUP(2,1/ISNUMBER({rng}),{rng}))'

    def inputs(self):
        return {self.key}


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


@dataclass(frozen=True)
class Verdict(Expr):
    """``yes`` when ``left op right`` holds, else ``no``; blank unless both sides are numbers."""

    left: Expr
    op: str
    right: Expr
    yes: str
    no: str

    def evaluate(self, env, ctx):
        a, b = self.left.evaluate(env, ctx), self.right.evaluate(env, ctx)
        if not (_num(a) and _num(b)):
            return None
        return self.yes if _OPS[self.op](a, b) else self.no

    def evaluate_column(self, columns, ctx, n):
        left, right = self.left.evaluate_column(columns, ctx, n), self.right.evaluate_column(columns, ctx, n)
        op, yes, no = _OPS[self.op], self.yes, self.no
        return [(yes if op(a, b) else no) if _num(a) and _num(b) else None for a, b in zip(left, right)]

    def excel(self, refs, ctx):
        a, b = self.left.excel(refs, ctx), self.right.excel(refs, ctx)
        return (
            f'IF(AND(ISNUMBER({a}),ISNUMBER({b})),'
            f'IF({a}{self.op}{b},{_lit(self.yes)},{_lit(self.no)}),"")'
        )

    def inputs(self):
        return self.left.inputs() | self.right.inputs()


@dataclass(frozen=True)
class Grade(Expr):
    """A label from a ladder of lower bounds held in a setting: [(12, "継続"), (9, "条件付継続")]
    and a default label for anything below (B-18 verdict)."""

    value: Expr
    ladder: str
    default: str

    def _steps(self, ctx: Context) -> Sequence[tuple[float, str]]:
        return sorted(ctx.setting(self.ladder), key=lambda s: -s[0])

    def evaluate(self, env, ctx):
        v = self.value.evaluate(env, ctx)
        if not _num(v):
            return None
        for bound, label in self._steps(ctx):
            if v >= bound:
                return label
        return self.default

    def evaluate_column(self, columns, ctx, n):
        steps = self._steps(ctx)

        def grade(v: Any) -> str | None:
            if not _num(v):
                return None
            for bound, label in steps:
                if v >= bound:
                    return label
            return self.default
        return list(map(grade, self.value.evaluate_column(columns, ctx, n)))

    def excel(self, refs, ctx):
        v = self.value.excel(refs, ctx)
        body = _lit(self.default)
        for bound, label in reversed(self._steps(ctx)):
            body = f"IF({v}>={_lit(bound)},{_lit(label)},{body})"
        return f'IF(ISNUMBER({v}),{body},"")'

    def inputs(self):
        return self.value.inputs()


def evaluate_record(columns: Sequence[Any], env: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """Compute every computed column of a record in declaration order.

    Later computed columns may read earlier ones (evaluation reads risk value), so each result is
    put into the environment before the next is evaluated.
    """
    scope = dict(env)
    out: dict[str, Any] = {}
    for col in columns:
        if col.computed is not None:
            value = col.computed.evaluate(scope, ctx)
            scope[col.key] = value
            out[col.key] = value
    return out
