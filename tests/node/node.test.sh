#!/usr/bin/env bash
# `bulkhead node` on fixture trees (no root needed) and, read-only, on this machine: distributions' fixed
# packages, preconditions, kubelet settings, runtimes, formats, exit codes, errors.
set -u
. "$(dirname "$0")/../lib.sh"
FX=$TOP/tests/fixtures/node
out=$(mktemp); trap 'rm -f "$out" "$out".*' EXIT
jqe() { jq -e "$@" >/dev/null; }
has() { jqe --arg r "$1" --arg f "$2" '[.findings[] | select(.rule == $r and .field == $f)] | length == 1' "$3"; }
hasnt() { jqe --arg r "$1" --arg f "$2" '[.findings[] | select(.rule == $r and .field == $f)] | length == 0' "$3"; }
sev() { jqe --arg r "$1" --arg f "$2" --arg s "$3" '[.findings[] | select(.rule == $r and .field == $f)][0].severity == $s' "$4"; }

# --- Debian 11, kernel 5.10.0-8 = package 5.10.46-4
"$BH" node --root "$FX/debian11" --format json >"$out"; rc=$?
check "debian11: exit 1 (critical findings)" test "$rc" = 1
check "debian11: kernel package from dpkg status" jqe '.node.kernel.package == "linux-image-5.10.0-8-amd64" and
	.node.kernel.packageVersion == "5.10.46-4" and .node.kernel.upstreamVersion == "5.10.46" and .node.os.distribution == "debian"' "$out"
check "debian11: Dirty Pipe critical, naming Debian's fixed linux 5.10.92-2 (DSA-5092)" eval 'sev BH0600 CVE-2022-0847 critical "$out" &&
	jqe "[.findings[] | select(.field == \"CVE-2022-0847\")][0].message | test(\"in range by upstream version.*linux 5.10.92-2.*dsa-5092\")" "$out"'
check "debian11: the fixed kernel package installed but not booted is named (Dirty Pipe), not for 0492 (still older)" eval '
	jqe "[.findings[] | select(.field == \"CVE-2022-0847\")][0].message | test(\"linux-image-5.10.0-11-amd64 is installed but not running\")" "$out" &&
	jqe "[.findings[] | select(.field == \"CVE-2022-0492\")][0].message | test(\"installed but not running\") | not" "$out"'
check "debian11: CVE-2022-0492 named with Debian's fixed linux 5.10.103-1 (DSA-5095)" jqe \
	'[.findings[] | select(.field == "CVE-2022-0492")][0].message | test("linux 5.10.103-1.*dsa-5095")' "$out"
check "debian11: CVE-2022-0492 lowered to info: AppArmor confines default pods (no_lsm=no)" eval 'sev BH0600 CVE-2022-0492 info "$out" &&
	jqe "[.findings[] | select(.field == \"CVE-2022-0492\")][0].evidence | test(\"no_lsm=no\")" "$out"'
check "debian11: runc before DSA-5615's deb11u3 is affected (CVE-2024-21626)" eval 'sev BH0601 CVE-2024-21626 critical "$out"'
check "debian11: containerd before DSA-5091 is affected (CVE-2022-23648)" has BH0601 CVE-2022-23648 "$out"
check "debian11: runtimes read from the package database, not run" jqe '[.node.runtimes[] | select(.from | test("dpkg status"))] | length == 2' "$out"
check "debian11: cgroup v1 in use (BH0609) and unprivileged userns (BH0602)" eval 'has BH0609 /sys/fs/cgroup "$out" && has BH0602 user.max_user_namespaces "$out"'
check "debian11: no kubelet said as not read (BH0622)" jqe '[.findings[] | select(.rule == "BH0622" and (.message | test("no kubelet process")))] | length == 1' "$out"

# --- Ubuntu 20.04 HWE 5.13.0-35.40~20.04.1: Dirty Pipe fixed by back-port (USN-5317-1), not reported
"$BH" node --root "$FX/ubuntu2004-backport" --format json >"$out"
check "ubuntu: package version from /proc/version_signature" jqe '.node.kernel.packageVersion == "5.13.0-35.40~20.04.1"' "$out"
check "ubuntu: Dirty Pipe not reported (back-ported fix)" hasnt BH0600 CVE-2022-0847 "$out"
check "ubuntu: CVE-2022-25636 not reported (same USN)" hasnt BH0600 CVE-2022-25636 "$out"
check "ubuntu: the back-port is recorded in the facts with its USN" jqe '[.node.cves[] | select(.id == "CVE-2022-0847" and
	.status == "not-affected-or-fixed" and (.detail | test("USN-5317-1")))] | length == 1' "$out"
check "ubuntu: CVEs without Ubuntu data stay 'in range by upstream version'" jqe \
	'[.findings[] | select(.field == "CVE-2024-1086")][0].message | test("in range by upstream version .*; check the distribution.s fixed package")' "$out"
check "ubuntu: userns disabled, cgroup v2: no BH0602/BH0609" eval 'hasnt BH0602 user.max_user_namespaces "$out" && hasnt BH0609 /sys/fs/cgroup "$out"'

# --- RHEL 8.5: 4.18 is below Dirty Pipe's upstream start, but Red Hat shipped the fix (RHSA-2022:0825)
"$BH" node --root "$FX/rhel8" --format json >"$out"
check "rhel8: package version from the release string" jqe '.node.kernel.packageVersion == "4.18.0-348.7.1.el8_5" and .node.os.distribution == "rhel"' "$out"
check "rhel8: Dirty Pipe reported from Red Hat's data although 4.18 < 5.8" eval 'sev BH0600 CVE-2022-0847 critical "$out" &&
	jqe "[.findings[] | select(.field == \"CVE-2022-0847\")][0].message | test(\"out of range by upstream version, but.*4.18.0-348.20.1.el8_5.*RHSA-2022:0825\")" "$out"'
check "rhel8: a fixed kernel installed under /usr/lib/modules but not booted is named" jqe \
	'[.findings[] | select(.field == "CVE-2022-0847")][0].message | test("4.18.0-348.23.1.el8_5.x86_64 is installed but not running")' "$out"
check "rhel8: rpm database named as not read" jqe '[.node.unread[] | select(test("/var/lib/rpm/Packages not read"))] | length == 1' "$out"
check "rhel8: SELinux enforcing: no BH0610, listed as mitigation" eval 'jqe "[.findings[] | select(.rule == \"BH0610\")] | length == 0" "$out" &&
	jqe "[.findings[] | select(.rule == \"BH0623\" and (.message | test(\"SELinux enforcing\")))] | length == 1" "$out"'
check "rhel8: CRI-O drop-ins read in name order after crio.conf" jqe '.node.runtimeConfig.crio.file == "/etc/crio/crio.conf.d/99-site.conf" and
	.node.runtimeConfig.crio.seccompProfile == "/etc/crio/seccomp.json" and .node.runtimeConfig.crio.apparmorProfile == "crio-default"' "$out"
check "rhel8: CRI-O drops NET_RAW: AF_PACKET CVE-2020-14386 is info (cap_net_raw=no)" eval 'sev BH0600 CVE-2020-14386 info "$out"'

# --- kubelet with anonymous auth and the read-only port open; containerd 1.6.0
R=$FX/kubelet-open
chmod 644 "$R/var/lib/kubelet/config.yaml"; chmod 600 "$R/etc/kubernetes/kubelet.conf" "$R/etc/kubernetes/pki/ca.crt"
"$BH" node --root "$R" --format json >"$out"; rc=$?
check "kubelet-open: exit 1" test "$rc" = 1
check "kubelet-open: process found, config read" jqe '.node.kubelet.cmdlineFrom == "/proc/4242/cmdline" and .node.kubelet.config == "/var/lib/kubelet/config.yaml"' "$out"
check "kubelet-open: anonymous auth high (CIS 4.2.1) with the config line as evidence" eval 'sev BH0612 authentication.anonymous.enabled high "$out" &&
	jqe "[.findings[] | select(.rule == \"BH0612\")][0].evidence | test(\"config.yaml:5\")" "$out"'
check "kubelet-open: --read-only-port 10255 flag overrides readOnlyPort: 0 (CIS 4.2.4)" eval 'has BH0614 readOnlyPort "$out" &&
	jqe ".node.kubelet.readOnlyPort == 10255" "$out"'
check "kubelet-open: containerd.io 1.6.0 affected by CVE-2022-23648" eval 'sev BH0601 CVE-2022-23648 high "$out"'
check "kubelet-open: config 0644 flagged (CIS 4.1.9), 0600 kubeconfig not" eval 'has BH0619 /var/lib/kubelet/config.yaml "$out" &&
	{ [ "$(id -u)" != 0 ] || hasnt BH0619 /etc/kubernetes/kubelet.conf "$out"; }'
check "kubelet-open: Webhook authorization: no BH0613" jqe '[.findings[] | select(.rule == "BH0613")] | length == 0' "$out"
check "kubelet-open: enable_unprivileged_ports (BH0621) and snapshotter fact" eval 'has BH0621 /etc/containerd/config.toml "$out" &&
	jqe ".node.runtimeConfig.containerd.snapshotter == \"overlayfs\"" "$out"'
check "kubelet-open: findings joined to the Node by name" jqe '(.findings | length) as $n | [.findings[].object | select(.kind == "Node" and .name == "worker-3")] | length == $n and $n > 5' "$out"

# flags alone: no config file means the flag defaults (anonymous on, AlwaysAllow, port 10255)
"$BH" node --root "$FX/debian11" --kubelet-flags "--kubeconfig=/etc/kubernetes/kubelet.conf" --format json >"$out"
check "flags without --config: AlwaysAllow + anonymous is critical (CIS 4.2.1, 4.2.2)" eval 'sev BH0613 authorization.mode critical "$out" &&
	sev BH0612 authentication.anonymous.enabled critical "$out" && has BH0614 readOnlyPort "$out"'
"$BH" node --root "$FX/debian11" --kubelet-flags "--kubeconfig=/k --rotate-certificates --feature-gates=RotateKubeletServerCertificate=true --config-dir=/etc/kubelet.d" --format json >"$out"
check "--feature-gates RotateKubeletServerCertificate=true satisfies CIS 4.2.11; --config-dir named as not read" eval 'hasnt BH0618 rotateCertificates "$out" &&
	hasnt BH0618 serverTLSBootstrap "$out" && jqe "[.node.unread[] | select(test(\"config-dir /etc/kubelet.d\"))] | length == 1" "$out"'
"$BH" node --root "$FX/debian11" --kubelet-flags "--config=/nonexistent.yaml --anonymous-auth=false --authorization-mode=Webhook" --format json >"$out"
check "explicit flags win; an unreadable config is named" eval 'hasnt BH0612 authentication.anonymous.enabled "$out" &&
	jqe "[.node.unread[] | select(test(\"kubelet config /nonexistent.yaml\"))] | length == 1" "$out"'
printf 'authentication: [\n' >"$out.bad.yaml"
"$BH" node --root / --no-exec --kubelet-config "$out.bad.yaml" --kubelet-flags "" --format json >"$out" 2>/dev/null; rc=$?
check "a --kubelet-config that does not decode: exit 2, file:line:col in errors and in BH0622" eval 'test "$rc" = 2 &&
	jqe "[.findings[] | select(.rule == \"BH0622\" and (.evidence | test(\"bad.yaml:[0-9]+:[0-9]+\")))] | length == 1" "$out" &&
	jqe ".errors[0].line >= 1 and (.errors[0].file | test(\"bad.yaml\"))" "$out"' 

# golden cases: each fixture's findings (rule, field, severity) are exactly its .expected file; BH0619 and
# BH0622 depend on the uid running the test (file owners, "not root") and are checked above instead
chmod 644 "$R/var/lib/kubelet/config.yaml"
for exp in "$FX"/*.expected; do
	f=$(basename "$exp" .expected)
	"$BH" node --root "$FX/$f" --format json | jq -r '.findings[] | select(.rule != "BH0619" and .rule != "BH0622") |
		"\(.rule) \(.field // "-") \(.severity)"' | sort >"$out.got"
	check "golden: $f matches $f.expected" diff -u "$exp" "$out.got"
done

# golden coverage: every node rule fires on at least one fixture tree
"$BH" node --root "$FX/weak" --format json >"$out.weak"
check "weak: AlwaysAllow without a config file, no LSM, no seccomp, runtimes unconfined" eval 'sev BH0613 authorization.mode critical "$out.weak" &&
	jqe "[.findings[] | select(.rule == \"BH0610\" or .rule == \"BH0611\")] | length == 2" "$out.weak" &&
	has BH0620 /etc/containerd/config.toml "$out.weak" && has BH0620 /etc/docker/daemon.json "$out.weak"'
for f in debian11 ubuntu2004-backport rhel8 kubelet-open; do "$BH" node --root "$FX/$f" --format json; done >"$out.all"
"$BH" rules --format json >"$out.rules"
missing=$(jq -r '.rules[] | select(.area == "node") | .id' "$out.rules" | while read -r id; do
	jq -s -e --arg id "$id" 'any(.[].findings[]; .rule == $id)' "$out.all" "$out.weak" >/dev/null || printf ' %s' "$id"; done)
check "every node rule has a golden fixture (missing:${missing:- none})" test -z "$missing"
"$BH" explain BH0612 | grep -q "CIS Kubernetes Benchmark 4.2.1"
check "explain BH0612 names its CIS id" test $? = 0

# the JSON shape of docs/schema/node.schema.json: every required key of "node" is there
req=$(jq -r '.properties.node.required | join(" ")' "$TOP/docs/schema/node.schema.json")
"$BH" node --root "$FX/kubelet-open" --format json >"$out"
miss=""; for k in $req; do jqe --arg k "$k" '.node | has($k)' "$out" || miss="$miss $k"; done
check "node JSON has every key the schema requires (missing:${miss:- none})" test -z "$miss"

# formats, errors
for f in sarif junit policyreport; do
	"$BH" node --root "$FX/kubelet-open" --format $f >"$out.$f"; rc=$?
	check "--format $f: exit 1 and output" eval 'test "$rc" = 1 && test -s "$out.$f"'
done
check "sarif is JSON with results" jqe '.runs[0].results | length > 5' "$out.sarif"
"$BH" node --root "$FX/debian11" >"$out"; rc=$?
check "text: facts header and summary" eval 'grep -q "^bulkhead node: deb11-node (Debian GNU/Linux 11 (bullseye))" "$out" &&
	grep -q "package linux-image-5.10.0-8-amd64 5.10.46-4" "$out" && grep -qE "[0-9]+ critical" "$out"'
"$BH" node --root /nonexistent/x --format json >"$out" 2>/dev/null; rc=$?
check "bad --root: exit 2 with a JSON error" eval 'test "$rc" = 2 && jq -e ".error | test(\"not a directory\")" "$out" >/dev/null'
"$BH" node --format yaml >/dev/null 2>&1; rc=$?
check "bad --format: exit 2" test "$rc" = 2
printf 'cve CVE-2022-0847\ncomponent kernel\ndistfix debian 11 linux 5.10.92-2\n' >"$out.cve"
"$BH" node --root "$FX/debian11" --cve-data "$out.cve" 2>"$out"; rc=$?
check "a distfix line without its reference: exit 2 naming the line" eval 'test "$rc" = 2 && grep -q ":3: distfix needs" "$out"'
"$BH" node --root "$FX/debian11" --fail-on none >/dev/null; rc=$?
check "--fail-on none: exit 0" test "$rc" = 0
"$BH" node --help | grep -q -- '--kubelet-config FILE'
check "--help documents --kubelet-config" test $? = 0

# deploy/node: scanned clean (with its namespace's Pod Security level), every exemption explained in its README
"$BH" scan "$TOP/deploy/node" --format json --show-suppressed >"$out"; rc=$?
check "deploy/node scans clean (exit 0, nothing unsuppressed)" eval 'test "$rc" = 0 && jqe "[.findings[] | select(.suppressed | not)] | length == 0" "$out"'
unexplained=$(jq -r '[.findings[] | select(.suppressed) | .rule] | unique | .[]' "$out" | while read -r id; do
	grep -q "$id" "$TOP/deploy/node/README.md" || printf ' %s' "$id"; done)
check "every suppressed rule of deploy/node is explained in deploy/node/README.md (missing:${unexplained:- none})" test -z "$unexplained"
check "deploy/node runs outside the restricted bulkhead namespace, in one that admits it" eval 'grep -q "^  namespace: bulkhead-node$" "$TOP/deploy/node/daemonset.yaml" &&
	grep -q "pod-security.kubernetes.io/enforce: privileged" "$TOP/deploy/node/namespace.yaml"'
check "deploy/node mounts no socket directory (not /, /run, /var/run, /var/lib/kubelet)" eval '! grep -qE "path: (/|/run|/var/run|/var/lib/kubelet|/var/lib/containerd)[,}]" "$TOP/deploy/node/daemonset.yaml"'

# this machine, read-only: whatever it is, the report is well-formed and names what it could not read
"$BH" node --format json >"$out"; rc=$?
check "this machine: exit 0 or 1, valid JSON with kernel facts" eval '{ test "$rc" = 0 || test "$rc" = 1; } &&
	jqe ".node.kernel.release == \"$(uname -r)\" and (.node.unread | type == \"array\")" "$out"'
if command -v runc >/dev/null && [ "$(id -u)" = 0 ]; then
	v=$(runc --version | sed -n 's/^runc version \([0-9.]*\).*/\1/p')
	check "this machine: runc $v from its own --version" jqe --arg v "$v" '[.node.runtimes[] | select(.name == "runc" and .version == $v and (.from | test("--version")))] | length == 1' "$out"
else
	skip "this machine: runc --version (no runc or not root)"
fi
# this machine through the DaemonSet's view: read-only binds of /etc /usr /boot /var/lib/dpkg /proc /sys under
# a directory, in a private mount namespace (nothing is mounted on the host's side)
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	H=$(mktemp -d)
	unshare -m bash -c 'set -e; mount --make-rprivate /
		for d in etc usr boot var/lib/dpkg proc sys; do [ -d "/$d" ] || continue
			mkdir -p "$1/$d"; mount --rbind "/$d" "$1/$d"; mount -o remount,bind,ro "$1/$d" 2>/dev/null || true; done
		"$2" node --root "$1" --format json' _ "$H" "$BH" >"$out.view"
	rm -rf "$H"
	"$BH" node --no-exec --format json >"$out.live"
	check "this machine via --root (DaemonSet view): same kernel, same rules as the live run, nothing executed" eval '
		jqe ".node.live == false and .node.kernel.release == \"$(uname -r)\"" "$out.view" &&
		jqe "[.node.runtimes[] | select(.from | test(\"--version\"))] | length == 0" "$out.view" &&
		test "$(jq -c "[.findings[] | select(.rule != \"BH0622\") | .rule + .field] | sort" "$out.view")" = \
		     "$(jq -c "[.findings[] | select(.rule != \"BH0622\") | .rule + .field] | sort" "$out.live")"'
else
	skip "this machine via --root (needs root and unshare)"
fi
# ---- the node: section of the config: accepted risks by rule, field (a CVE id) and node name ----
T=$(mktemp -d); trap 'rm -rf "$T"; rm -f "$out" "$out".*' EXIT
cat >"$T/ncfg.yaml" <<'CFG'
node:
  disable: [BH0605]
  severity: {node-mitigations: low}
  allow:
  - rule: BH0600
    field: CVE-2022-0185
    reason: "fixed by the vendor kernel's live patch; OPS-7"
  - rule: BH0601
    node: "deb11-*"
    reason: "runtime upgrade scheduled"
    expires: 2020-01-01
CFG
"$BH" node --root "$FX/debian11" --config "$T/ncfg.yaml" --format json --show-suppressed >"$T/nc.json" 2>"$T/nc.err"; rc=$?
check "node.allow by field: CVE-2022-0185 suppressed with its reason, the other CVEs stay" \
	test "$(jq -c '[.findings[] | select(.suppressed) | [.rule, .field, .suppressedReason]]' "$T/nc.json")" = \
	'[["BH0600","CVE-2022-0185","fixed by the vendor kernel'"'"'s live patch; OPS-7"]]'
check "node.disable: no BH0605" sh -c "! jq -r '.findings[].rule' '$T/nc.json' | grep -q BH0605"
check "node.severity: BH0623 at low" test "$(jq -r '.findings[] | select(.rule == "BH0623") | .severity' "$T/nc.json")" = low
check "node.allow expired: applies to nothing, named at start" \
	sh -c "jq -e '[.findings[] | select(.rule == \"BH0601\" and (.suppressed | not))] | length > 0' '$T/nc.json' >/dev/null && grep -q 'node.allow: exemption at .*ncfg.yaml:8 expired on 2020-01-01' '$T/nc.err'"
"$BH" node --root "$FX/debian11" --config "$T/ncfg.yaml" --format json 2>/dev/null | jq -e '.summary.suppressed == 1 and ([.findings[] | select(.suppressed)] | length == 0)' >/dev/null
check "without --show-suppressed: the suppressed finding is counted, not listed" test $? = 0
printf 'node:\n  allow:\n  - rule: BH0801\n    reason: x\n' >"$T/nbad.yaml"
"$BH" node --root "$FX/debian11" --config "$T/nbad.yaml" >/dev/null 2>"$T/nbad.err"; rc=$?
check "node.allow with an audit rule: exit 2 at its position" sh -c "test $rc = 2 && grep -q 'nbad.yaml:3:11: node: .BH0801. is not a node rule' '$T/nbad.err'"
finish
