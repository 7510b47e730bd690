#!/usr/bin/env bash
# bulkhead scan --vulns: IMAGES Trivy reports (half with repo digests, half by tag) holding VULNS vulnerabilities
# in all, and WORKLOADS Deployments (one container each, every second one privileged) running those images,
# all generated here. Reports the time and peak RSS of `scan --vulns` against the same scan without the
# reports (the correlation's own cost), best of RUNS, and the findings made (one per workload).
# Usage: bench/vulns.sh; env VULNS (default 10000), WORKLOADS (1000), IMAGES (50), RUNS (3).
set -euo pipefail
cd "$(dirname "$0")/.."
VULNS=${VULNS:-10000} WORKLOADS=${WORKLOADS:-1000} IMAGES=${IMAGES:-50} RUNS=${RUNS:-3}
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" "$BUILD/bulkhead" >/dev/null
BH=$PWD/$BUILD/bulkhead
W=$(mktemp -d /tmp/bulkhead-bench-vulns.XXXXXX)
trap 'rm -rf "$W"' EXIT
per=$((VULNS / IMAGES))
sevs=(CRITICAL HIGH MEDIUM LOW UNKNOWN)
args=()
for i in $(seq 1 "$IMAGES"); do
	dig=$(printf 'img%d' "$i" | sha256sum | cut -c1-64)
	if [ $((i % 2)) = 0 ]; then rd="\"RepoDigests\": [\"registry.example.com/team/app$i@sha256:$dig\"]"; else rd='"RepoDigests": []'; fi
	awk -v n="$per" -v i="$i" -v rd="$rd" -v sevs="${sevs[*]}" 'BEGIN {
		split(sevs, s, " ")
		printf "{\"SchemaVersion\": 2, \"ArtifactName\": \"registry.example.com/team/app%d:1.%d\", \"ArtifactType\": \"container_image\",\n", i, i
		printf " \"Metadata\": {%s}, \"Results\": [{\"Target\": \"app\", \"Class\": \"os-pkgs\", \"Type\": \"debian\", \"Vulnerabilities\": [\n", rd
		for (k = 1; k <= n; k++) {
			fix = k % 3 ? sprintf("1.%d", k + 1) : ""
			printf "%s  {\"VulnerabilityID\": \"CVE-2024-%05d\", \"PkgName\": \"pkg%d\", \"InstalledVersion\": \"1.%d\", \"FixedVersion\": \"%s\", \"Severity\": \"%s\"}\n",
				(k > 1 ? "," : ""), (i * 7919 + k) % 100000, k % 300, k, fix, s[(k % 5) + 1]
		}
		printf "]}]}\n"
	}' >"$W/r$i.json"
	args+=(--vulns "$W/r$i.json")
done
for w in $(seq 1 "$WORKLOADS"); do
	i=$(( (w % IMAGES) + 1 ))
	dig=$(printf 'img%d' "$i" | sha256sum | cut -c1-64)
	if [ $((i % 2)) = 0 ]; then img="registry.example.com/team/app$i@sha256:$dig"; else img="registry.example.com/team/app$i:1.$i"; fi
	priv=$([ $((w % 2)) = 0 ] && echo true || echo false)
	printf -- '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w%d, namespace: bench}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: "%s"\n        securityContext: {privileged: %s}\n' "$w" "$img" "$priv"
done >"$W/workloads.yaml"
run() { # prints "seconds maxrss_kb"
	local best="" rss=""
	for _ in $(seq 1 "$RUNS"); do
		/usr/bin/time -f '%e %M' -o "$W/t" "$BH" scan --format json --fail-on none --jobs 1 "$@" "$W/workloads.yaml" >"$W/out.json" || true
		read -r s m <"$W/t"
		if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$s rss=$m; fi
	done
	echo "$best $rss"
}
read -r t0 m0 < <(run)
read -r t1 m1 < <(run "${args[@]}")
n=$(jq '[.findings[] | select(.rule == "BH0311")] | length' "$W/out.json")
bytes=$(cat "$W"/r*.json | wc -c)
echo "vulns: $VULNS vulnerabilities in $IMAGES Trivy reports ($((bytes / 1024)) KiB), $WORKLOADS workloads, --jobs 1, best of $RUNS"
echo "  scan without --vulns: ${t0}s, peak RSS $((m0 / 1024)) MiB"
echo "  scan --vulns:         ${t1}s, peak RSS $((m1 / 1024)) MiB, $n BH0311 findings"
