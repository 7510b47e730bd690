#!/usr/bin/env bash
# bulkhead fix, verified: every golden case in tests/fix/cases/ (NAME.yaml|json before; NAME.after.*, NAME.diff,
# NAME.notes expected; NAME.args extra options; NAME.restricted: PSS restricted must pass after the fix;
# NAME.patch: the --patch output; NAME.exit: the exit code when it is 2; NAME.profile: the watch --profile
# summary that NAME.args passes to --profile) is fixed and then checked for
#   - output, diff and notes equal to the goldens;
#   - the diff applied with patch --fuzz=0 gives the fixed file, and GNU diff finds exactly the lines our diff
#     removes changed (every other line byte-identical), each of them holding a fixed key;
#   - fixing again changes nothing;
#   - scan finds no finding of a fixed rule left on the object, unless a field of that rule was listed
#     as not fixed; pss --level restricted passes where the case says so (and failed before);
#   - Kubernetes' decoder (build/oracle decode: sigs.k8s.io/yaml) stores the same objects before and after
#     except under the fixed fields (skipped without Go).
# Then the real corpus (a copy) is fixed in place and scanned again: finding counts before/after.
# UPDATE=1 rewrites the goldens from the current output (review them with git diff).
. "$(dirname "$0")/../lib.sh"
CASES=$TOP/tests/fix/cases
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
command -v jq >/dev/null || { skip "jq is not installed"; finish; exit; }
FIXABLE='BH0001 BH0002 BH0003 BH0004 BH0021 BH0022 BH0027 BH0028 BH0029 BH0030 BH0031'

ORACLE=
if [ -x "$TOP/$BUILD/oracle" ]; then ORACLE=$TOP/$BUILD/oracle
elif command -v go >/dev/null && o=$(bash "$TOP/tests/oracle/build.sh" "$T/oracle" 2>/dev/null); then ORACLE=$o
fi
[ -n "$ORACLE" ] || skip "Go or the oracle modules are absent: the decoded-object comparison is skipped"

# keys of the fixed fields (every path segment, indices removed): a removed line must hold one of them
fixed_keys() { sed -n 's/.*: fixed BH[0-9]* [^ ]* [^ ]* \([^ ]*\) = .*/\1/p' "$1" | tr '.' '\n' | sed 's/\[[0-9]*\]//' | sort -u; }

# the changed-lines check: patch(1) reproduces the fixed file from our diff; diff(1) finds exactly our removed
# lines changed; each removed line holds a fixed key
check_lines() { # NAME BEFORE AFTER DIFF NOTES
	local n=$1 b=$2 a=$3 d=$4 notes=$5
	if command -v patch >/dev/null; then
		cp "$b" "$T/p.in"
		if patch --quiet --fuzz=0 -o "$T/p.out" "$T/p.in" <"$d" >/dev/null 2>&1 && cmp -s "$T/p.out" "$a"; then
			ok "$n: the diff applied with patch --fuzz=0 gives the fixed file"
		else fail "$n: the diff does not reproduce the fixed file"; fi
	else skip "$n: patch(1) not installed"; fi
	local ours theirs
	ours=$(grep -c '^-[^-]\|^-$' "$d")
	theirs=$(diff "$b" "$a" | grep -c '^<')
	if [ "$ours" = "$theirs" ]; then ok "$n: every line outside the $ours edited line(s) is byte-identical (diff(1) agrees)"
	else fail "$n: diff(1) sees $theirs changed lines, our diff $ours"; fi
	fixed_keys "$notes" | sed 's/.*/&:\n"&":/' >"$T/keys" # key: (YAML) or "key": (JSON)
	local bad=0 line
	while IFS= read -r line; do
		printf '%s\n' "$line" | grep -qF -f "$T/keys" || { bad=1; echo "# removed line without a fixed key: $line"; }
	done < <(grep '^-[^-]' "$d")
	[ $bad = 0 ] && ok "$n: every removed line holds a fixed key" || fail "$n: a removed line holds no fixed key"
}

# stored objects, one "index path=value" line per leaf
leaves() { "$ORACLE" decode "$1" 2>/dev/null | jq -r --arg i 0 '. as $o | .stored | paths(scalars) as $p |
	"\($o.index) \($p | map(if type == "number" then "[\(.)]" else ".\(.)" end) | join("") | ltrimstr(".") | gsub("\\.\\["; "["))=\(getpath($p))"' | sort; }

check_oracle() { # NAME BEFORE AFTER JSONNOTES
	[ -n "$ORACLE" ] || return 0
	local n=$1
	leaves "$2" >"$T/lb"; leaves "$3" >"$T/la"
	if [ ! -s "$T/lb" ]; then skip "$n: the oracle decodes no object"; return; fi
	jq -r '.notes[] | select(.fixed) | .field' "$4" | sort -u >"$T/ff"
	# hostNetwork: false also ends the API server's defaulting of hostPort = containerPort (SetDefaults_Pod)
	sed -n 's/^\(.*\)hostNetwork$/~^\1(initContainers|containers)\\[[0-9]+\\]\\.ports\\[[0-9]+\\]\\.hostPort$/p' "$T/ff" >>"$T/ff"
	local bad=0 p
	while IFS= read -r p; do
		p=${p#* }; p=${p%%=*}
		awk -v p="$p" '/^~/ ? p ~ substr($0, 2) : index(p, $0) == 1 { f = 1 } END { exit !f }' "$T/ff" || { bad=1; echo "# changed outside the fixes: $p"; }
	done < <(comm -3 "$T/lb" "$T/la" | sed 's/^\t//')
	[ $bad = 0 ] && ok "$n: Kubernetes' decoder stores the same objects except under the fixed fields" ||
		fail "$n: the stored object changed outside the fixed fields"
}

check_rescan() { # NAME AFTER NOTES
	local n=$1 a=$2
	"$BH" fix ${ARGS[@]+"${ARGS[@]}"} "$a" >"$T/again" 2>"$T/again.notes"
	if cmp -s "$T/again" "$a" && ! grep -q ': fixed ' "$T/again.notes"; then ok "$n: fixing again changes nothing"
	else fail "$n: a second fix still changes the file"; fi
	"$BH" scan --pss none --format json "$a" >"$T/scan.json" 2>/dev/null
	local rule obj left=0
	for rule in $(sed -n 's/.*: fixed \(BH[0-9]*\) .*/\1/p' "$3" | sort -u); do
		[ "$rule" = BH0005 ] && continue # the hostPath stays (read-only): its finding does too
		while IFS= read -r obj; do
			grep -q ": not fixed $rule $obj " "$T/again.notes" || { left=1; echo "# $rule still on $obj"; }
		done < <(jq -r --arg r "$rule" '.findings[] | select(.rule == $r) |
			"\(.object.kind) \(if .object.namespace then .object.namespace + "/" else "" end)\(.object.name)"' "$T/scan.json" | sort -u)
	done
	[ $left = 0 ] && ok "$n: scan finds no fixed rule left (except fields listed as not fixed)" || fail "$n: fixable findings left"
}

ncase=0 nfixed=0 nnot=0
for src in "$CASES"/*.yaml "$CASES"/*.json; do
	f=$(basename "$src")
	case $f in *.after.*) continue ;; esac
	n=${f%.*} ext=${f##*.}
	ncase=$((ncase + 1))
	ARGS=()
	[ -f "$CASES/$n.args" ] && read -r -a ARGS <"$CASES/$n.args"
	mkdir -p "$T/w" && cp "$src" "$T/w/$f" && cd "$T/w" || exit 2
	[ -f "$CASES/$n.profile" ] && cp "$CASES/$n.profile" "$T/w/" # NAME.profile: watch --profile's summary (NAME.args names it)
	"$BH" fix ${ARGS[@]+"${ARGS[@]}"} "$f" >"$T/out" 2>"$T/notes"; rc=$?
	"$BH" fix ${ARGS[@]+"${ARGS[@]}"} --diff "$f" >"$T/diff" 2>/dev/null
	"$BH" fix ${ARGS[@]+"${ARGS[@]}"} --format json "$f" >"$T/notes.json" 2>/dev/null
	if [ -n "${UPDATE:-}" ]; then
		cp "$T/out" "$CASES/$n.after.$ext"; cp "$T/diff" "$CASES/$n.diff"; cp "$T/notes" "$CASES/$n.notes"
		[ -f "$CASES/$n.patch" ] && "$BH" fix --patch "$f" >"$CASES/$n.patch" 2>/dev/null
	fi
	nfixed=$((nfixed + $(grep -c ': fixed ' "$T/notes"))); nnot=$((nnot + $(grep -c ': not fixed ' "$T/notes")))
	if [ -f "$CASES/$n.exit" ]; then
		[ "$rc" = "$(cat "$CASES/$n.exit")" ] && ok "$n: fix exits $rc as expected" || fail "$n: fix exits $rc, not $(cat "$CASES/$n.exit")"
	else
		[ "$rc" != 2 ] && ok "$n: fix exits $rc" || fail "$n: fix exits 2: $(head -2 "$T/notes")"
	fi
	cmp -s "$T/out" "$CASES/$n.after.$ext" && ok "$n: fixed text equals $n.after.$ext" ||
		{ fail "$n: fixed text differs from $n.after.$ext"; diff "$CASES/$n.after.$ext" "$T/out" | head -20; }
	cmp -s "$T/diff" "$CASES/$n.diff" && ok "$n: --diff equals $n.diff" || fail "$n: --diff differs from $n.diff"
	cmp -s "$T/notes" "$CASES/$n.notes" && ok "$n: fixed / not fixed list equals $n.notes" ||
		{ fail "$n: the notes differ"; diff "$CASES/$n.notes" "$T/notes" | head -20; }
	if [ -f "$CASES/$n.patch" ]; then
		"$BH" fix --patch "$f" >"$T/patch" 2>/dev/null
		cmp -s "$T/patch" "$CASES/$n.patch" && ok "$n: --patch equals $n.patch" || fail "$n: --patch differs"
		"$BH" scan --pss none --fail-on none "$T/patch" >/dev/null 2>&1 && ok "$n: the patch decodes as objects" ||
			fail "$n: the patch does not decode"
	fi
	cp "$T/out" "$T/w/after.$ext"
	check_lines "$n" "$src" "$T/out" "$T/diff" "$T/notes"
	check_rescan "$n" "$T/w/after.$ext" "$T/notes"
	check_oracle "$n" "$src" "$T/w/after.$ext" "$T/notes.json"
	if [ -f "$CASES/$n.restricted" ]; then
		if ! "$BH" pss --level restricted "$src" >/dev/null 2>&1 && "$BH" pss --level restricted "$T/w/after.$ext" >/dev/null 2>&1
		then ok "$n: pss --level restricted failed before and passes after"
		else fail "$n: pss --level restricted does not pass after the fix (or passed before)"; fi
	fi
	cd "$TOP" && rm -rf "$T/w"
done
echo "# golden cases: $ncase, fields fixed: $nfixed, listed as not fixed: $nnot"

# ---- the JSON shape of docs/schema/fix.schema.json ----
"$BH" fix --format json "$CASES/cni.yaml" >"$T/s.json" 2>/dev/null
miss=$(jq -r --slurpfile s "$TOP/docs/schema/fix.schema.json" '($s[0].required - keys) + ([.notes[] | keys] | add | . as $k |
	$s[0].properties.notes.items.required - $k) + ((.summary | keys) as $k | $s[0].properties.summary.required - $k) | join(" ")' "$T/s.json")
check "fix JSON has every key docs/schema/fix.schema.json requires (missing:${miss:- none})" test -z "$miss"

# ---- options and errors ----
"$BH" fix --in-place - </dev/null >/dev/null 2>&1; [ $? = 2 ] && ok "--in-place on stdin is a usage error (exit 2)" || fail "--in-place on stdin"
"$BH" fix --level nope "$CASES/hostns.yaml" >/dev/null 2>&1; [ $? = 2 ] && ok "an unknown --level exits 2" || fail "--level nope"
"$BH" fix "$CASES/hostns.yaml" "$CASES/caps.yaml" >/dev/null 2>&1; [ $? = 2 ] && ok "two inputs without --diff/--in-place/--patch exit 2" || fail "two inputs"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: [\n' >"$T/bad.yaml"
"$BH" fix "$T/bad.yaml" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q 'bad.yaml:[0-9]*:[0-9]*:' "$T/err" && ok "a broken document: file:line:col and exit 2" || fail "broken input: rc=$rc $(cat "$T/err")"
cp "$CASES/privileged.yaml" "$T/ip.yaml" && chmod 640 "$T/ip.yaml"
"$BH" fix --in-place "$T/ip.yaml" 2>/dev/null
cmp -s "$T/ip.yaml" "$CASES/privileged.after.yaml" && [ "$(stat -c %a "$T/ip.yaml")" = 640 ] &&
	[ -z "$(ls -A "$T" | grep bulkhead-)" ] && ok "--in-place writes the fixed file, keeps mode 640, leaves no temporary file" ||
	fail "--in-place"
"$BH" fix --diff "$CASES/privileged.yaml" "$CASES/hostns.yaml" >"$T/d2" 2>/dev/null
[ "$(grep -c '^+++ ' "$T/d2")" = 2 ] && ok "--diff over two files prints two file diffs" || fail "--diff over two files"
cat "$CASES/flow.yaml" | "$BH" fix --patch - >"$T/stdin.patch" 2>/dev/null
grep -q 'privileged: false' "$T/stdin.patch" && ok "--patch on stdin patches what the flow style kept from the text edit" || fail "--patch on stdin"

# ---- the real corpus: fixed in place, scanned again ----
if [ -d "$SHARED/corpus/real" ]; then
	cp -r "$SHARED/corpus/real" "$T/corpus" && chmod -R u+w "$T/corpus"
	count() { "$BH" scan --pss none --fail-on none --format json "$T/corpus" 2>/dev/null |
		jq -r --arg fx "$FIXABLE" '[.findings[] | select(.suppressed | not)] as $f |
			"\($f | length) \([$f[] | select(.rule as $r | $fx | split(" ") | index($r))] | length)"'; }
	read -r all0 fix0 < <(count)
	"$BH" scan --pss restricted --fail-on none --format json "$T/corpus" 2>/dev/null | jq '[.findings[] | select(.pss)] | length' >"$T/pss0"
	"$BH" fix --in-place "$T/corpus" 2>"$T/corpus.notes"; rc=$?
	read -r all1 fix1 < <(count)
	"$BH" scan --pss restricted --fail-on none --format json "$T/corpus" 2>/dev/null | jq '[.findings[] | select(.pss)] | length' >"$T/pss1"
	echo "# corpus: $(tail -1 "$T/corpus.notes")"
	echo "# corpus findings: all $all0 -> $all1; of the fixable rules ($FIXABLE) $fix0 -> $fix1;" \
		"PSS restricted violations $(cat "$T/pss0") -> $(cat "$T/pss1")"
	[ "$rc" != 2 ] && ok "corpus: fix --in-place exits $rc (no input error)" || fail "corpus: fix exits 2: $(grep error "$T/corpus.notes" | head -3)"
	[ "$fix1" -lt "$fix0" ] && ok "corpus: fixable findings went down ($fix0 -> $fix1)" || fail "corpus: fixable findings $fix0 -> $fix1"
	"$BH" fix --diff "$T/corpus" >"$T/corpus.diff2" 2>"$T/corpus.notes2"
	! grep -q ': fixed ' "$T/corpus.notes2" && ok "corpus: a second fix finds nothing more to fix" || fail "corpus: second fix still fixes"
	bad=0
	while IFS= read -r f; do
		rel=${f#"$T/corpus/"}
		orig=$SHARED/corpus/real/$rel
		cmp -s "$orig" "$f" && continue
		[ -n "$ORACLE" ] || continue
		nb=$("$ORACLE" decode "$orig" 2>/dev/null | wc -l); na=$("$ORACLE" decode "$f" 2>/dev/null | wc -l)
		[ "$nb" = "$na" ] || { bad=1; echo "# $rel: $nb objects before, $na after"; }
	done < <(find "$T/corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \))
	if [ -n "$ORACLE" ]; then
		[ $bad = 0 ] && ok "corpus: Kubernetes' decoder reads as many objects from every fixed file as before" || fail "corpus: objects lost"
	fi
else
	skip "no shared corpus at $SHARED/corpus/real"
fi
finish
