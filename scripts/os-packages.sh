#!/usr/bin/env bash
# Installs the Debian packages the project needs when they are missing:
# gettext (compiling the translations), Chromium (the browser tests), Tesseract (passport MRZ), CJK and Thai fonts
# (customer-facing texts and printed documents), Pango (WeasyPrint), poppler-utils and wrk (benchmarks).
set -euo pipefail
need=()
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
[ -d /usr/share/fonts/opentype/ocr-b ] || need+=(fonts-ocr-b)  # the MRZ font, for the benchmark's synthetic passports
fonts=$(fc-list 2>/dev/null || true)
grep -qi "Noto Sans CJK" <<<"$fonts" || need+=(fonts-noto-cjk)
[ -n "$(fc-list :lang=th 2>/dev/null)" ] || need+=(fonts-thai-tlwg)
# WeasyPrint (printed documents) lays text out with Pango; poppler-utils renders PDFs to PNG for a look.
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# wrk loads the server in `make bench-serve` (a client in C, so the load costs the cores little).
command -v wrk >/dev/null 2>&1 || need+=(wrk)
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing OS packages: ${need[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# Several checkouts may install at once (worktrees, CI): wait for the dpkg lock instead of failing.
wait_lock=(-o DPkg::Lock::Timeout=900)
$sudo apt-get "${wait_lock[@]}" update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get "${wait_lock[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null
