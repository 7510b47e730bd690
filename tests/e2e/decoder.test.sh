#!/usr/bin/env bash
# Decoder sample against the real API server: each tricky manifest of tests/e2e/decoder/ (merge keys after
# explicit keys, `kind` from `<<`, nested and list merges, duplicate keys, case-variant keys, YAML 1.1
# booleans, anchors and tags) goes through `kubectl create --dry-run=server --validate=false -o json` (what
# kubectl's YAML reading plus the API server's decoding would store), and bulkhead scans both the raw input
# and the stored objects. A critical or high finding on a stored object that the scan of the raw input lacks
# is a bypass: the case fails. The opposite (bulkhead flags what was not stored) is printed as an
# over-report, not a failure. Cases listed in PENDING (decoder fix not on main yet) run with E2E_ATTACKS=1.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/e2e/lib-e2e.sh"
# cases whose decoder fix has not reached main yet (none: the merge-order cases pass since the decoder merge)
PENDING=${E2E_DECODER_PENDING-""}

e2e_prereqs
e2e_lab --namespaces "team"

# "kind/name rule container" for each critical or high finding of a scan
risks() {
	jq -r '.findings[] | select(.severity == "critical" or .severity == "high") | select(.suppressed != true) |
		"\(.object.kind)/\(.object.name) \(.rule) \(.container // "-")"' "$1" | sort -u
}

over=0
for f in "$E2E"/decoder/*.yaml; do
	c=$(basename "$f" .yaml)
	case " $PENDING " in *" $c "*) [ "${E2E_ATTACKS:-0}" = 1 ] || { skip "decoder $c: fix not on main yet (E2E_ATTACKS=1 runs it)"; continue; } ;; esac
	"$BH" scan --format json --fail-on none "$f" >"$W/raw.json" 2>"$W/raw.err"
	rc=$?
	if [ "$rc" -ge 2 ] && ! jq -e .findings "$W/raw.json" >/dev/null 2>&1; then
		# bulkhead refuses the input: fine only if kubectl refuses it too
		if KA create -n team --dry-run=server --validate=false -o json -f "$f" >/dev/null 2>&1; then
			fail "decoder $c: bulkhead rejects the input ($(head -c 200 "$W/raw.err")) but the server stores it"
		else
			ok "decoder $c: bulkhead and kubectl both reject the input"
		fi
		continue
	fi
	if ! KA create -n team --dry-run=server --validate=false -o json -f "$f" >"$W/stored.raw" 2>"$W/stored.err"; then
		ok "decoder $c: kubectl/the server refuse it ($(head -c 160 "$W/stored.err" | tr '\n' ' ')); nothing stored"
		continue
	fi
	# one stored object per YAML document (a List when kubectl printed several)
	jq -c 'if .kind == "List" then .items[] else . end' "$W/stored.raw" |
		awk 'NR > 1 {print "---"} {print}' >"$W/stored.yaml"
	"$BH" scan --format json --fail-on none "$W/stored.yaml" >"$W/stored.json" 2>/dev/null
	risks "$W/raw.json" >"$W/raw.risks"
	risks "$W/stored.json" >"$W/stored.risks"
	missed=$(comm -13 "$W/raw.risks" "$W/stored.risks")
	extra=$(comm -23 "$W/raw.risks" "$W/stored.risks")
	if [ ! -s "$W/stored.risks" ]; then
		echo "  note: $c: the stored object has no critical/high finding"
	fi
	if [ -n "$extra" ]; then
		over=$((over + 1))
		echo "  over-report $c: bulkhead flags what the server did not store: $(echo "$extra" | tr '\n' ';')"
	fi
	if [ -z "$missed" ]; then
		ok "decoder $c: every critical/high risk of the stored object is found on the raw input ($(wc -l <"$W/stored.risks") risks)"
	else
		fail "decoder $c: bypass, bulkhead misses on the raw input: $(echo "$missed" | tr '\n' ';')"
	fi
done
echo "  over-reports: $over"
finish
