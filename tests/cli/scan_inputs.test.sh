#!/usr/bin/env bash
# Which files `bulkhead scan` reads (issue 18): --exclude GLOB, the .bulkheadignore file, YAML that is not
# Kubernetes (Chart.yaml, values.yaml, CI workflows) skipped with one note, unrendered Helm templates
# with a hint.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
G="$TOP/tests/golden/cases"

R="$T/repo"
mkdir -p "$R/deploy" "$R/charts/app/templates" "$R/.github/workflows" "$R/vendor/lib" "$R/test"
cp "$G/privileged-yes.yaml" "$R/deploy/risky.yaml"
cp "$G/hardened.yaml" "$R/deploy/ok.yaml"
cp "$G/privileged-yes.yaml" "$R/vendor/lib/upstream.yaml"
cp "$G/privileged-yes.yaml" "$R/test/fixture.yml"
printf 'apiVersion: v2\nname: app\nversion: 1.0.0\n' >"$R/charts/app/Chart.yaml"
printf 'replicaCount: 1\nimage:\n  repository: nginx\n  tag: "1.27"\n' >"$R/charts/app/values.yaml"
printf 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n    - run: make\n' >"$R/.github/workflows/ci.yml"
printf '{"name": "x", "version": "1.0.0"}\n' >"$R/package.json"

# non-Kubernetes YAML: one note each, not objects, not errors
"$BH" scan --format json "$R/charts" "$R/.github" "$R/package.json" "$R/deploy" >"$T/j" 2>"$T/err"; rc=$?
check "non-k8s files beside manifests: no input error (exit 1 for the risky one)" test $rc = 1
check "json: no errors" jq -e '.errors == []' "$T/j" >/dev/null
check "json: objects counts only Kubernetes objects (2)" jq -e '.summary.objects == 2' "$T/j" >/dev/null
for f in charts/app/Chart.yaml charts/app/values.yaml .github/workflows/ci.yml package.json; do
	check "$f: one 'not a Kubernetes object, skipped' warning" \
		test "$(jq --arg f "$R/$f" '[.warnings[] | select(.file == $f and (.message | test("not a Kubernetes object.*skipped")))] | length' "$T/j")" = 1
done
"$BH" scan "$R/charts" >"$T/o" 2>"$T/err"; rc=$?
check "a chart directory alone: nothing scanned, exit 2" test $rc = 2
check "text: the note is on stderr" grep -q "Chart.yaml: warning: not a Kubernetes object" "$T/err"
# a Kubernetes-looking document without kind stays an input error
printf 'apiVersion: v1\nmetadata:\n  name: x\nspec:\n  containers: []\n' >"$T/nokind.yaml"
"$BH" scan "$T/nokind.yaml" >/dev/null 2>"$T/err"; rc=$?
check "apiVersion + metadata without kind: input error (exit 2)" test $rc = 2
check "… reported as an error" grep -q "nokind.yaml:1:1: error:" "$T/err"
# a file with a kind-less document beside real objects: the decoder's error
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nfoo: bar\n' >"$T/mixed.yaml"
"$BH" scan "$T/mixed.yaml" >/dev/null 2>"$T/err"; rc=$?
check "a kind-less document among objects is still an error" test $rc = 2

# unrendered Helm templates: the hint
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\nspec:\n  containers:\n  {{- range .Values.c }}\n  - name: x\n  {{- end }}\n' >"$R/charts/app/templates/pod.yaml"
"$BH" scan "$R/charts/app/templates/pod.yaml" >/dev/null 2>"$T/err"; rc=$?
check "unrendered template: exit 2" test $rc = 2
check "unrendered template: hint to render it" grep -q "helm template .* | bulkhead scan -" "$T/err"
rm "$R/charts/app/templates/pod.yaml"

# --exclude GLOB (repeatable): basename, path, or path below the scanned directory; a directory prunes
"$BH" scan --format json --exclude 'vendor/*' --exclude '*.yml' "$R" >"$T/j" 2>/dev/null
check "--exclude: vendor/ and *.yml gone" jq -e '[.findings[].location.file] | all(test("vendor|fixture") | not)' "$T/j" >/dev/null
check "--exclude: deploy/ still scanned" jq -e '[.findings[].location.file] | any(test("deploy/risky.yaml"))' "$T/j" >/dev/null
"$BH" scan --format json --exclude vendor --exclude test "$R" >"$T/j" 2>/dev/null
check "--exclude DIR prunes the directory" jq -e '[.findings[].location.file] | all(test("vendor|fixture") | not)' "$T/j" >/dev/null
"$BH" scan --format json --exclude '*risky*' "$R/deploy/risky.yaml" "$R/deploy/ok.yaml" >"$T/j" 2>/dev/null; rc=$?
check "--exclude applies to files named on the command line" jq -e '.summary.files == 1 and (.findings | length == 0)' "$T/j" >/dev/null
check "… exit 0" test $rc = 0

# .bulkheadignore at the top of a scanned directory (gitignore subset)
printf '# vendored code is scanned upstream\nvendor/\n/test/*.yml\n!deploy/risky.yaml\n' >"$R/.bulkheadignore"
"$BH" scan --format json "$R" >"$T/j" 2>"$T/err"
check ".bulkheadignore: vendor/ and /test/*.yml ignored" jq -e '[.findings[].location.file] | all(test("vendor|fixture") | not)' "$T/j" >/dev/null
check ".bulkheadignore: deploy/ still scanned" jq -e '[.findings[].location.file] | any(test("deploy/risky.yaml"))' "$T/j" >/dev/null
check ".bulkheadignore: '!' patterns are not supported and say so" grep -q "bulkheadignore:4: warning: .*not supported" "$T/err"
printf 'risky.yaml\n' >"$R/deploy/.bulkheadignore"
"$BH" scan --format json "$R/deploy" >"$T/j" 2>/dev/null; rc=$?
check ".bulkheadignore: a name without / matches at any depth" jq -e '.findings | length == 0' "$T/j" >/dev/null
check ".bulkheadignore in a scanned directory: exit 0" test $rc = 0
"$BH" scan --format json --no-ignore-file "$R/deploy" >"$T/j" 2>/dev/null
check "--no-ignore-file reads every file" jq -e '.findings | length > 0' "$T/j" >/dev/null
finish
