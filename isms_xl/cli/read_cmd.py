"""``isms-xl read FILE``: the records of a form as JSON or CSV, with their cells and READ findings."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any

import click

from isms_xl.cli.common import Ctx, handle_errors


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _csv_safe(value: Any) -> Any:
    """Spreadsheet programs run a cell that starts with = + - @ (formula injection): quote it."""
    value = _plain(value)
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _form_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A usage error, not an internal one, for a --form that names no form."""
    if value is None:
        return None
    from isms_xl.forms import FORMS, parse_form_id

    parsed = parse_form_id(value)
    if parsed is None:
        raise click.BadParameter(f"{value!r} is not a form; the forms are {', '.join(FORMS)}")
    return parsed


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--form", "form_id", default=None, callback=_form_id,
              help="The form to read (e.g. B-02): the one wanted when a workbook holds several, or what a workbook "
                   "that does not say holds.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.pass_obj
@handle_errors
def read(obj: Ctx, file: Path, form_id: str | None, fmt: str) -> None:
    """Read FILE and print its records (with the cell of every value) and READ findings."""
    from isms_xl.reader import read_form

    form = read_form(file, form_id)
    if fmt == "json":
        out = {
            "form": form.form_id,
            "workbook": str(file),
            "doc": {k: _plain(v) for k, v in vars(form.doc).items() if k != "extra"},
            "records": [{
                "sheet": r.sheet,
                "row": None if r.row is None else r.row + 1,
                "values": {k: _plain(v) for k, v in r.values.items()},
                "cells": {k: c.a1 for k, c in r.cells.items()},
                **({"tables": {t: [{k: _plain(v) for k, v in row.values.items()} for row in rows]
                               for t, rows in r.tables.items()}} if r.tables else {}),
            } for r in form.records],
            "findings": [f.flat() for f in form.findings],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=1, default=str))
        return
    keys = [c.key for c in form.spec.columns]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["_sheet", "_row", *keys])
    for r in form.records:
        writer.writerow([_csv_safe(r.sheet), "" if r.row is None else r.row + 1, *(_csv_safe(r.values.get(k)) for k in keys)])
    sys.stdout.write(buf.getvalue())
    for f in form.findings:
        click.echo(f"{f.rule} {f.severity.value} {f.sheet}!{f.cell}: {f.message(obj.lang)}", err=True)
