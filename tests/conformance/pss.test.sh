#!/usr/bin/env bash
# PSS conformance: every fixture of kubernetes/pod-security-admission test/testdata (
# <level>/v1.<minor>/{pass,fail}/*.yaml, found by pss_fixtures in tests/lib.sh) must get PSA's verdict from
# `bulkhead pss` at its level and version; a fail/ fixture must also be rejected by the check its file
# name names (lower-cased id + index) or, at restricted, by the restricted check that overrides it at that
# version (policy/registry.go). One bulkhead process per level/version directory.
. "$(dirname "$0")/../lib.sh"
root=$(pss_fixtures)
if [ -z "$root" ]; then
	skip "PSS conformance: $(pss_fixtures_hint)"
	finish; exit
fi
command -v jq >/dev/null || { skip "PSS conformance: jq is not installed"; finish; exit; }

# jq: one line per fixture that disagrees with PSA, then a line "TOTAL <n>"
judge='
def overrides($level; $minor):
  if $level != "restricted" then {}
  else {hostpathvolumes: "restrictedvolumes"}
     + (if $minor >= 22 then {capabilities_baseline: "capabilities_restricted"} else {} end)
     + (if $minor >= 19 then {seccompprofile_baseline: "seccompprofile_restricted"} else {} end)
     + (if $minor >= 35 then {procmount: "procmount_restricted"} else {} end)
  end;
. as $doc
| [ $doc.results[]
    | .location.file as $f
    | ($f | test("/fail/")) as $fail
    | ($f | split("/") | last | sub("[0-9]*\\.yaml$"; "")) as $named
    | (.version | sub("^v1\\."; "") | tonumber) as $minor
    | (overrides(.level; $minor)[$named] // $named) as $want
    | [.violations[].check | ascii_downcase] as $got
    | if $fail and .allowed then "\($f): allowed, PSA forbids it (\($named))"
      elif ($fail | not) and (.allowed | not) then "\($f): forbidden, PSA allows it: \([.violations[] | "\(.reason) (\(.detail))"] | join(", "))"
      elif $fail and (($got | index($want)) == null) then "\($f): forbidden but not by \($want): \($got | join(", "))"
      else empty end ]
| (.[] ), "TOTAL \($doc.results | length)"'

# Reason and detail text: compared with pod-security-admission itself (the Go oracle of tests/oracle),
# when Go and its modules are available.
oracle=$(bash "$TOP/tests/oracle/build.sh" "$TOP/$BUILD/oracle" 2>/tmp/pss-oracle.$$) || {
	skip "PSS wording: $(cat /tmp/pss-oracle.$$)"; oracle=; }
rm -f /tmp/pss-oracle.$$
words='[.results[] | .location.file as $f | ($f | sub("^.*/(?<x>v1\\.[0-9]+/(pass|fail)/)"; "\(.x)")) as $k
        | .violations[] | "\($k)\t\(.check)\t\(.reason)\t\(.detail)"] | sort | .[]'
nwording=0

start=$(date +%s.%N)
total=0 bad=0
for level in baseline restricted; do
	lp=0 lt=0
	for vdir in "$root/$level"/v1.*; do
		[ -d "$vdir" ] || continue
		v=$(basename "$vdir")
		expect=$(find "$vdir" -name '*.yaml' | wc -l)
		out=$("$BH" pss --level "$level" --version "$v" --format json "$vdir"); rc=$?
		if [ "$rc" = 2 ]; then fail "$level/$v: bulkhead pss exited 2: $(printf '%s' "$out" | jq -c .errors 2>&1 | head -c 400)"; bad=$((bad+1)); continue; fi
		res=$(printf '%s' "$out" | jq -r "$judge")
		n=$(printf '%s\n' "$res" | sed -n 's/^TOTAL //p')
		wrong=$(printf '%s\n' "$res" | grep -v '^TOTAL ')
		nw=$(printf '%s' "$wrong" | grep -c . || true)
		if [ "$n" != "$expect" ]; then
			fail "$level/$v: $n results for $expect fixtures"
		elif [ "$nw" = 0 ]; then
			ok "$level/$v: $n/$n fixtures agree with PSA"
		else
			fail "$level/$v: $nw of $n fixtures disagree with PSA"; printf '%s\n' "$wrong" | sed 's/^/    /'
		fi
		lt=$((lt + expect)); lp=$((lp + n - nw)); total=$((total + expect))
		if [ -n "$oracle" ]; then
			d=$(diff <(printf '%s' "$out" | jq -r "$words") \
				<("$oracle" pss -level "$level" -version "$v" "$vdir" | jq -r "$words"))
			if [ -n "$d" ]; then
				fail "$level/$v: reason/detail text differs from pod-security-admission"; printf '%s\n' "$d" | head -20 | sed 's/^/    /'
				nwording=$((nwording + 1))
			fi
		fi
	done
	echo "# $level: $lp/$lt fixtures agree with PSA"
done
end=$(date +%s.%N)
echo "# whole fixture tree: $total fixtures in $(echo "$end - $start" | bc) s"
if [ -n "$oracle" ]; then
	[ "$nwording" = 0 ] && ok "reason and detail text of every violation equal pod-security-admission's (v0.37.2)" \
		|| fail "$nwording level/version directories with wording differences"
fi
finish
