#!/usr/bin/env bash
# bulkhead cluster --format html: one self-contained file with the graph rendered by Graphviz (inline SVG),
# loaded in headless Chromium and saved as a screenshot (CLUSTER_SCREENSHOT=FILE keeps it; default: a
# temporary folder). Skips when chromium is absent (Debian package chromium, scripts/packages.txt).
. "$(dirname "$0")/../lib.sh"
FIX=$TOP/tests/fixtures/cluster
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

"$BH" cluster --format html --output "$T/report.html" "$FIX/scenario.yaml"; rc=$?
check "html: written (exit 1: critical paths)" test $rc = 1
check "html: one <svg> from Graphviz inline" sh -c "[ \$(grep -c '<svg' '$T/report.html') = 1 ] && grep -q 'class=\"graph\"' '$T/report.html' && grep -q '<g id=.graph0' '$T/report.html'"
check "html: the graph has the path's rule and the node" sh -c "grep -q 'BH0701' '$T/report.html' && grep -q 'Node node-1' '$T/report.html'"
check "html: self-contained (no script, no external resource)" sh -c "! grep -Eqi '<script|<link |src=\"http|href=\"http' '$T/report.html'"
"$BH" cluster --format html "$FIX/cases/exec-neg.yaml" >"$T/empty.html"
check "html: no path, no graph, says so" sh -c "! grep -q '<svg' '$T/empty.html' && grep -q 'reaches a node or cluster-admin' '$T/empty.html'"

CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	skip "chromium not installed (apt-get install chromium): the report was not loaded in a browser"
else
	shot=${CLUSTER_SCREENSHOT:-$T/report.png}
	timeout 120 "$CHROME" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$T/profile" --window-size=1400,2000 --screenshot="$shot" "file://$T/report.html" \
		>"$T/chrome.log" 2>&1
	check "chromium loaded the report and saved a screenshot ($shot)" test -s "$shot"
	check "the screenshot is a PNG" sh -c "head -c 8 '$shot' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"
	# the DOM as Chromium parsed it: the SVG and the path list are there
	timeout 120 "$CHROME" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$T/profile" --dump-dom "file://$T/report.html" >"$T/dom.html" 2>/dev/null
	check "chromium's DOM holds the SVG graph and the paths" sh -c "grep -q '<svg' '$T/dom.html' && grep -q 'Escape paths' '$T/dom.html'"
fi
finish
