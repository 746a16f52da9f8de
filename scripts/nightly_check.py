"""Nightly ISMS consistency check (cron / Windows Task Scheduler). Thin: all logic is in isms_xl.

    python scripts/nightly_check.py /path/to/ISMS [--out REPORT_DIR] [--state DIR] [--lang ja|en] [--fail-on error]
"""

import argparse
import sys
from pathlib import Path

from isms_xl.errors import IsmsXlError
from isms_xl.nightly import run_nightly


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--state", type=Path, default=None, help="where the history is kept (default: FOLDER/.isms_xl)")
    parser.add_argument("--lang", choices=["ja", "en"], default="ja")
    parser.add_argument("--fail-on", choices=["error", "warning", "info", "never"], default="error")
    parser.add_argument("--no-mail", action="store_true")
    args = parser.parse_args()
    try:
        result = run_nightly(args.folder, out_dir=args.out, lang=args.lang, state=args.state, fail_on=args.fail_on,
                             mail=not args.no_mail)
    except IsmsXlError as err:
        print(f"isms-xl: {err.message(args.lang)}", file=sys.stderr)
        return int(err.exit_code)
    if result.mail_error:
        print(f"isms-xl: {result.mail_error}", file=sys.stderr)
    print(result.reports["html"])
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
