#!/usr/bin/env bash
# serve --print-webhook never prints a configuration that silently leaves a configured kind out: every
# podTemplatePaths group reaches the rules, and a config with more groups than one configuration holds is an
# error with nothing printed (a kind left out would never be sent to the webhook: an admission bypass).
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
crds() { # N → config with N podTemplatePaths in N API groups
	echo "podTemplatePaths:"
	for ((i = 0; i < $1; i++)); do
		echo "  - {group: g$i.example.com, kind: Kind$i, spec: spec.template.spec, metadata: spec.template.metadata}"
	done
}
crds 40 >"$T/c40.yaml"
"$BH" serve --print-webhook --config "$T/c40.yaml" >"$T/w40.yaml" 2>"$T/e40"
check "40 configured groups: printed (exit 0)" test $? = 0
n=$(grep -c 'apiGroups: \["g[0-9]*\.example\.com"\]' "$T/w40.yaml")
check "40 configured groups: every one is in the rules ($n)" test "$n" = 40
check "a configured kind's plural is the resource sent" grep -q '"kind39s"' "$T/w40.yaml"
crds 70 >"$T/c70.yaml"
"$BH" serve --print-webhook --config "$T/c70.yaml" >"$T/w70.yaml" 2>"$T/e70"
check "70 configured groups: exit 2" test $? = 2
check "70 configured groups: nothing printed" test ! -s "$T/w70.yaml"
check "70 configured groups: the error says why" grep -q "more API groups" "$T/e70"
finish
