"""Format the stylesheets one declaration per line (cssbeautifier, which djLint brings), or check them.

`python scripts/css_format.py` rewrites static/*.css; `--check` lists what differs and fails (make lint).
"""

import sys
from pathlib import Path

import cssbeautifier

OPTIONS = {"indent_size": 2, "end_with_newline": True, "newline_between_rules": True}


def formatted(text: str) -> str:
    return str(cssbeautifier.beautify(text, OPTIONS))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    differs = []
    for path in sorted(Path("static").rglob("*.css")):
        text = path.read_text()
        want = formatted(text)
        if want != text:
            differs.append(path)
            if not check:
                path.write_text(want)
    if check and differs:
        print("CSS not formatted (run: python scripts/css_format.py):", *differs, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
