#!/usr/bin/env bash
# bulkhead scan --vulns: Trivy and Grype JSON reports (fixtures in tests/image/vulns/, written by hand after the
# tools' documented schemas) correlated with the workloads that run the images (BH0311 image-vulnerable-exposed).
# Digest and tag matches, the same CVE ranked by exposure (privileged DaemonSet vs restricted Deployment),
# no match → no finding, both reports of one image deduplicated by CVE id, and hostile reports (malformed,
# truncated, too deep, too large, not an image) → exit 2 with file:line:col while the other reports still count.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
command -v jq >/dev/null || { skip "jq missing"; finish; exit; }
V=$TOP/tests/image/vulns
W=$V/workloads.yaml
scan() { "$BH" scan --format json --enable BH0311 "$@"; }
# find OBJECT-NAME CONTAINER: the BH0311 finding of that workload's container (JSON), or nothing
# j JSON FILTER: the filter holds for the JSON text
j() { jq -e "$2" <<<"$1" >/dev/null; }
find() { jq -c --arg n "$2" --arg c "$3" '.findings[] | select(.rule == "BH0311" and .object.name == $n and .container == $c)' "$1"; }

scan --vulns $V/trivy-nginx.json --vulns $V/grype-nginx.json --vulns $V/trivy-agent.json --vulns $V/grype-unused.json "$W" >$T/all.json
check "findings at or above high: exit 1" test $? = 1
ship=$(find $T/all.json log-shipper shipper) front=$(find $T/all.json frontend web) agent=$(find $T/all.json node-agent agent)

# the same image by digest, in a privileged DaemonSet and in a restricted Deployment
check "privileged DaemonSet: one finding, critical" test "$(jq -r .severity <<<"$ship")" = critical
check "restricted Deployment: the same image ranks low" test "$(jq -r .severity <<<"$front")" = low
check "the worst CVE first (CVE-2023-38545 curl, critical, fixed version)" j "$ship" '.message | startswith("CVE-2023-38545 (critical; curl 7.88.1-10+deb12u4, fixed in 7.88.1-10+deb12u5)")'
check "the restricted pod's finding names the same CVE first" j "$front" '.message | startswith("CVE-2023-38545 (critical;")'
check "the message names the workload and its avenue" j "$ship" '.message | contains("privileged-container, run-as-root, root-filesystem-writable in DaemonSet kube-system/log-shipper container \"shipper\" (exposure critical)")'
check "the restricted pod has no avenue" j "$front" '(.message | contains("no escape avenue")) and (.evidence | contains("exposure: none"))'
check "digest match said in the evidence" j "$ship" '.evidence | startswith("match: digest sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac")'
check "the evidence lists the exposure findings with ids" j "$ship" '.evidence | contains("BH0001 privileged-container (critical)") and contains("BH0028 run-as-root (medium)")'
check "the finding points at the container's image field" j "$ship" '.field == "spec.template.spec.containers[0].image" and .location.line == 13'

# Trivy + Grype for one image: deduplicated by CVE id (5 + 3 - 1 shared = 7), both reports named
check "both reports of the image named" j "$ship" '.evidence | contains("trivy-nginx.json (trivy)") and contains("grype-nginx.json (grype)")'
check "deduplicated by CVE id: 7 vulnerabilities" j "$ship" '(.message | contains("7 vulnerabilities (1 critical, 3 high, 1 medium, 1 low, 1 other)")) and (.evidence | [scan("CVE-2023-38545")] | length == 1)'
check "Grype-only CVEs are in (CVE-2023-52425 libexpat1, negligible zlib)" j "$ship" '.evidence | contains("CVE-2023-52425 high libexpat1") and contains("CVE-2023-45853 negligible zlib1g")'

# by tag (the report has no digest), with hostPID + hostPath /
check "tag match: ghcr.io/example/node-agent:2.4.1" j "$agent" '.evidence | startswith("match: tag ghcr.io/example/node-agent:2.4.1;")'
check "tag match ranks critical, worst CVE from the Go binary" j "$agent" '.severity == "critical" and (.message | startswith("CVE-2024-24790 (critical; stdlib 1.21.6, fixed in 1.21.11, 1.22.4)"))'
check "hostPID and hostPath exposure in the evidence" j "$agent" '.evidence | contains("BH0002 host-pid (high)") and contains("BH0005 host-path-volume (critical)")'

# no match → no finding: busybox has no report; nginx pinned to another digest matches no report even
# though its tag does (a digest-pinned image is matched by digest only); the unused report matches nothing
check "no finding for busybox or a re-pinned nginx" test -z "$(find $T/all.json tools sh)$(find $T/all.json tools web)"
check "three findings in all" jq -e '[.findings[] | select(.rule == "BH0311")] | length == 3' $T/all.json >/dev/null

# one report at a time: Grype alone by its manifestDigest; Trivy alone by tag through docker.io defaults
scan --vulns $V/grype-nginx.json "$W" >$T/g.json
check "Grype alone: 3 vulnerabilities by digest" jq -e '[.findings[] | select(.object.name == "log-shipper")][0] | (.message | contains("3 vulnerabilities")) and (.evidence | contains("grype-nginx.json (grype)") and (contains("trivy") | not))' $T/g.json >/dev/null
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\nspec:\n  hostNetwork: true\n  containers:\n  - {name: c, image: nginx:1.25.3}\n' >$T/tag.yaml
scan --vulns $V/trivy-nginx.json $T/tag.yaml >$T/t.json
check "tag nginx:1.25.3 matches Trivy's RepoTags as docker.io/library/nginx:1.25.3" jq -e '.findings[0].evidence | startswith("match: tag docker.io/library/nginx:1.25.3;")' $T/t.json >/dev/null
check "hostNetwork (high) caps a critical CVE at high" jq -e '.findings[0].severity == "high"' $T/t.json >/dev/null
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: nginx:1.26}\n' >$T/other.yaml
scan --vulns $V/trivy-nginx.json $T/other.yaml >$T/o.json
check "another tag: exit 0" test $? = 0
check "another tag: no finding" jq -e '.findings | length == 0' $T/o.json >/dev/null
printf '{"SchemaVersion": 2, "ArtifactName": "ghcr.io/example/node-agent:2.4.1", "ArtifactType": "container_image",\n "Results": [{"Target": "x", "Vulnerabilities": null}]}\n' >$T/clean.json
scan --vulns $T/clean.json "$W" >$T/clean.out
check "a report without vulnerabilities: no finding (exit 0 with only BH0311 enabled)" test $? = 0
"$BH" scan --format json --vulns - "$W" <$V/trivy-agent.json >$T/stdin.json
check "--vulns - reads stdin" jq -e 'any(.findings[]; .rule == "BH0311" and (.evidence | contains("<stdin> (trivy)")))' $T/stdin.json >/dev/null
"$BH" scan --vulns - - <$V/trivy-agent.json >/dev/null 2>$T/both.err
check "--vulns - with the input - is a usage error (exit 2)" test $? = 2
check "… saying both would read standard input" grep -q 'both read standard input' $T/both.err
sed 's|name: log-shipper, namespace: kube-system}|name: log-shipper, namespace: kube-system, annotations: {bulkhead.io/ignore: "BH0311 rebuilt in the next release"}}|' "$W" >$T/ign.yaml
scan --show-suppressed --vulns $V/trivy-nginx.json $T/ign.yaml >$T/ign.json
check "bulkhead.io/ignore: BH0311 suppresses the finding of that workload only" jq -e '[.findings[] | select(.rule == "BH0311") | "\(.object.name)=\(.suppressed)"] | sort == ["frontend=false", "log-shipper=true"]' $T/ign.json >/dev/null
printf 'exemptions:\n- rules: [image-vulnerable-exposed]\n  namespace: kube-system\n  reason: "agent image rebuilt weekly; SEC-9"\n' >$T/vcfg.yaml
scan --config $T/vcfg.yaml --show-suppressed --vulns $V/trivy-nginx.json "$W" >$T/vcfg.json
check "config exemptions: take BH0311 (by name), scoped to a namespace, with the reason" jq -e '[.findings[] | select(.rule == "BH0311") | "\(.object.name)=\(.suppressed)"] | sort == ["frontend=false", "log-shipper=true"]' $T/vcfg.json >/dev/null
"$BH" scan --format json "$W" >$T/none.json
check "without --vulns there is no BH0311" jq -e 'all(.findings[]; .rule != "BH0311")' $T/none.json >/dev/null

# hostile reports: exit 2 with file:line:col, the other report still used
bad() { # NAME FILE EXPECTED-LINE EXPECTED-MESSAGE-PART
	scan --vulns "$2" --vulns $V/trivy-agent.json "$W" >$T/bad.json 2>$T/bad.err
	local rc=$?
	check "$1: exit 2" test $rc = 2
	check "$1: error at $(basename "$2"):$3 says '$4'" jq -e --arg f "$2" --argjson l "$3" --arg m "$4" \
		'any(.errors[]; .file == $f and .line == $l and .column > 0 and (.message | contains($m)))' $T/bad.json >/dev/null
	check "$1: the other report still yields its finding" jq -e 'any(.findings[]; .object.name == "node-agent")' $T/bad.json >/dev/null
}
printf '{"SchemaVersion": 2, "ArtifactName": "x:1",\n "Results": [{"Vulnerabilities": [{"VulnerabilityID": 5}]}]}\n' >$T/type.json
bad "a number for VulnerabilityID" $T/type.json 2 "VulnerabilityID: expected a string"
head -c 700 $V/trivy-nginx.json >$T/trunc.json
bad "a truncated report" $T/trunc.json "$(wc -l <$T/trunc.json | awk '{print $1 + 1}')" "end of input"
python3 -c 'print("{\"matches\": " + "[" * 5000 + "]" * 5000 + "}")' >$T/deep.json 2>/dev/null ||
	{ printf '{"matches": '; printf '[%.0s' $(seq 5000); printf ']%.0s' $(seq 5000); printf '}\n'; } >$T/deep.json
bad "5000 nested arrays" $T/deep.json 1 "nesting deeper than 64"
printf '{"SchemaVersion": 2, "ArtifactName": "/src",\n  "ArtifactType": "filesystem", "Results": []}\n' >$T/fs.json
bad "a Trivy report of a filesystem" $T/fs.json 2 'ArtifactType: expected "container_image"'
printf '{"matches": [{"vulnerability": "CVE-1"}], "source": {"type": "image", "target": {"userInput": "a:1"}}}' >$T/gm.json
bad "a Grype match without a vulnerability object" $T/gm.json 1 "matches[]: expected an object"
printf '{"kind": "Pod"}' >$T/pod.json
bad "neither tool's report" $T/pod.json 1 "expected a Trivy (--format json) or Grype (-o json) report"
{ printf '{"SchemaVersion": 2, "ArtifactName": "a:1",\n "Metadata": {"RepoTags": ['; for i in $(seq 1 300); do printf '"a:%d",' $i; done; printf '"a:0"]}}\n'; } >$T/tags.json
bad "300 tags for one image" $T/tags.json 2 "more than 256 tags and digests"
truncate -s 300M $T/huge.json
scan --vulns $T/huge.json --vulns $V/trivy-agent.json "$W" >$T/huge.out 2>/dev/null
check "a 300 MiB report: exit 2" test $? = 2
check "a 300 MiB report: 'larger than' error, the other report still used" jq -e 'any(.errors[]; .message | contains("larger than 268435456 bytes")) and any(.findings[]; .object.name == "node-agent")' $T/huge.out >/dev/null
rm -f $T/huge.json

# bulkhead cluster --vulns: the same findings among the workloads' findings; the avenue (and the paths) stay
# the escape rules'
"$BH" cluster --format json --findings info --vulns $V/trivy-nginx.json --vulns $V/grype-nginx.json "$W" >$T/cl.json
check "cluster: privileged DaemonSet critical, restricted Deployment low" jq -e '[.findings[] | select(.rule == "BH0311") | "\(.object.name)=\(.severity)"] | sort == ["frontend=low", "log-shipper=critical"]' $T/cl.json >/dev/null
check "cluster: BH0311 is no path step" jq -e '[.paths[] | .. | strings | select(contains("BH0311"))] | length == 0' $T/cl.json >/dev/null
"$BH" cluster --format json --vulns $T/type.json "$W" >$T/clbad.json 2>/dev/null
check "cluster: a malformed report exits 2" test $? = 2
check "cluster: … with its position" jq -e --arg f "$T/type.json" 'any(.errors[]; .file == $f and .line == 2 and .column == 55)' $T/clbad.json >/dev/null

"$BH" explain BH0311 >$T/x.txt
check "explain BH0311 says how the severity is mapped" grep -q "weaker of" $T/x.txt
finish
