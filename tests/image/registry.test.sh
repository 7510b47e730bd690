#!/usr/bin/env bash
# bulkhead image docker://…: a local registry (Debian's docker-registry, the distribution v2 registry) on
# 127.0.0.1 over TLS with a CA this test makes; images built here (busybox-static, files written here) and
# pushed with curl through the registry API. Reads by tag and by digest, an index narrowed to a platform,
# TLS verification, a blob tampered in the registry's storage (digest mismatch), and cosign-style
# signatures: valid (ECDSA P-256, Ed25519), unsigned, wrong key, tampered payload, digest mismatch. Anonymous
# access here; Basic (htpasswd) and Bearer (token) authentication are in verify.test.sh.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
REG=$(command -v docker-registry || true)
BB=$(command -v busybox || echo /bin/busybox)
if [ -z "$REG" ] || [ ! -x "$BB" ]; then skip "docker-registry or busybox-static not installed"; finish; exit; fi

. "$(dirname "$0")/reglib.sh"
reg_certs
if ! reg_start store; then fail "docker-registry did not start: $(tail -3 $T/store.log)"; finish; exit; fi
PID=$store_PID
ok "docker-registry serves TLS on 127.0.0.1:$P"

# ---- images: the fat one (setuid, shell, package manager, root by name) and a minimal one ----
mkdir -p $T/r1/bin $T/r1/usr/bin $T/r1/etc $T/r2/bin
cp "$BB" $T/r1/bin/busybox; ln -s busybox $T/r1/bin/sh; cp "$BB" $T/r1/bin/su; chmod 4755 $T/r1/bin/su
printf 'x' >$T/r1/usr/bin/apk; chmod 755 $T/r1/usr/bin/apk
printf 'root:x:0:0::/root:/bin/sh\nadmin:x:0:0::/:/bin/sh\n' >$T/r1/etc/passwd
: >$T/r2/bin/.wh.su
mktar $T/r1 $T/l1.tgz gzip; mktar $T/r2 $T/l2.tzst zstd
mkoci $T/fat '"User": "admin", "ExposedPorts": {"443/tcp": {}}' $T/l1.tgz >/dev/null
mkoci $T/fat2 '"User": "admin"' $T/l1.tgz $T/l2.tzst >/dev/null
mkdir -p $T/m/app; cp "$BB" $T/m/app/server; mktar $T/m $T/m.tgz gzip
mkoci $T/min '"User": "65532"' $T/m.tgz >/dev/null
check "push the fat image with curl (blobs, manifest)" push_layout $T/fat test/fat 1
check "push the two-layer variant (layer 2 whites out /bin/su)" push_layout $T/fat2 test/fat 2
check "push the minimal image" push_layout $T/min test/min 1

"$BH" image --format json "oci:$T/fat" >$T/local.json 2>/dev/null
"$BH" image --format json --registry-ca $T/ca.crt "docker://127.0.0.1:$P/test/fat:1" >$T/reg.json 2>$T/reg.err; rc=$?
check "docker://…/test/fat:1 read over TLS (exit $rc: $(head -c 300 $T/reg.err))" test $rc = 0
check "the registry copy gives the same findings as the local layout ($(jq -r '[.findings[].rule] | join(" ")' $T/reg.json))" \
	test "$(jq -c '[.findings[] | [.rule, .message]]' $T/reg.json)" = "$(jq -c '[.findings[] | [.rule, .message]]' $T/local.json)"
check "root by name, setuid, shell, package manager and port are found" \
	jq -e '[.findings[].rule] | unique == ["BH0300", "BH0301", "BH0302", "BH0304", "BH0305", "BH0307"]' $T/reg.json >/dev/null
"$BH" image --format json --registry-ca $T/ca.crt "docker://127.0.0.1:$P/test/fat:2" >$T/reg2.json 2>/dev/null
check "two layers from the registry (gzip + zstd): the whiteout removes /bin/su" \
	jq -e 'all(.findings[]; .rule != "BH0302")' $T/reg2.json >/dev/null
md=$(jq -r '.manifests[0].digest' $T/min/index.json)
"$BH" image --format json --fail-on info --registry-ca $T/ca.crt "docker://127.0.0.1:$P/test/min@$md" >$T/min.json 2>/dev/null; rc=$?
check "by digest (@$md): the minimal image, no findings, exit 0" sh -c "[ $rc = 0 ] && jq -e '.findings == []' $T/min.json >/dev/null"

# an index with two platforms, pushed as an index
fd=$(jq -r '.manifests[0].digest' $T/fat/index.json)
printf '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "%s", "size": %s, "platform": {"os": "linux", "architecture": "arm64"}}, {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "%s", "size": %s, "platform": {"os": "linux", "architecture": "amd64"}}]}' \
	"$md" "$(stat -c %s $T/min/blobs/sha256/${md#sha256:})" "$fd" "$(stat -c %s $T/fat/blobs/sha256/${fd#sha256:})" >$T/index.json
for b in $T/min/blobs/sha256/*; do push_blob test/fat "$b"; done
$C -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @$T/min/blobs/sha256/${md#sha256:} "$R/v2/test/fat/manifests/min" -o /dev/null
check "push an index (linux/arm64: minimal, linux/amd64: fat)" \
	$C -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary @$T/index.json "$R/v2/test/fat/manifests/multi" -o /dev/null
"$BH" image --format json --registry-ca $T/ca.crt "docker://127.0.0.1:$P/test/fat:multi" >$T/m1.json 2>/dev/null
check "index from the registry: linux/amd64 by default (the fat image)" jq -e 'any(.findings[]; .rule == "BH0302")' $T/m1.json >/dev/null
"$BH" image --format json --platform linux/arm64 --registry-ca $T/ca.crt "docker://127.0.0.1:$P/test/fat:multi" >$T/m2.json 2>/dev/null
check "index from the registry: --platform linux/arm64 (the minimal image)" jq -e '.findings == [] and .errors == []' $T/m2.json >/dev/null

# ---- cosign-style signatures: keys made here, signatures made with openssl over the payload bytes ----
sig_keys
sig_variants $T/m.tgz
verdict() { # NAME EXPECT-RULE EXPECT-MESSAGE EXPECT-EXIT ARGS…
	local name=$1 rule=$2 m=$3 want=$4; shift 4
	"$BH" image --format json --registry-ca $T/ca.crt "$@" >$T/v.json 2>$T/v.err; local rc=$?
	echo "# $name: exit $rc: $(jq -r '[.findings[] | select(.rule | test("BH03(08|09|10)")) | "\(.rule) \(.severity): \(.message)"] | join("; ")' $T/v.json 2>/dev/null)$(jq -r '.errors[]?.message' $T/v.json 2>/dev/null)"
	check "signature $name: $rule, exit $want" test "$rc" = "$want"
	check "signature $name: the message says \"$m\"" jq -e --arg r "$rule" --arg m "$m" 'any(.findings[]; .rule == $r and (.message | contains($m)))' $T/v.json >/dev/null
}
verdict "valid (ECDSA P-256)" BH0310 "verifies with $T/k1.pub" 0 --key $T/k1.pub "docker://127.0.0.1:$P/test/signed:valid"
verdict "valid (Ed25519)" BH0310 "verifies with $T/ed.pub" 0 --key $T/ed.pub "docker://127.0.0.1:$P/test/signed:ed"
verdict "valid with one of two keys" BH0310 "verifies with $T/k1.pub" 0 --key $T/k2.pub --key $T/k1.pub "docker://127.0.0.1:$P/test/signed:valid"
verdict "unsigned" BH0308 "unsigned: no signature: the registry has no tag sha256-${dB#sha256:}.sig" 1 --key $T/k1.pub "docker://127.0.0.1:$P/test/signed:unsigned"
verdict "wrong key" BH0309 "invalid: the signature does not verify with $T/k2.pub" 1 --key $T/k2.pub "docker://127.0.0.1:$P/test/signed:valid"
verdict "wrong key type (Ed25519 key, ECDSA signature)" BH0309 "invalid" 1 --key $T/ed.pub "docker://127.0.0.1:$P/test/signed:valid"
verdict "tampered payload" BH0309 "invalid: the signature does not verify with $T/k1.pub" 1 --key $T/k1.pub "docker://127.0.0.1:$P/test/signed:tampered"
verdict "digest mismatch (another image's signature)" BH0309 "digest mismatch: the payload signs $dA, not this image's $dD" 1 --key $T/k1.pub "docker://127.0.0.1:$P/test/signed:mismatch"
# payload blob swapped in the registry's storage: its own digest fails before any key is tried
pa=$(sha256sum $T/pA | cut -d' ' -f1); pdata=$T/store/docker/registry/v2/blobs/sha256/${pa:0:2}/$pa/data
cp $T/pA $T/pA.orig; sed 's/cosign container/Cosign container/' $T/pA >"$pdata"
verdict "payload replaced in storage" BH0309 "payload: digest mismatch: expected sha256:$pa" 1 --key $T/k1.pub "docker://127.0.0.1:$P/test/signed:valid"
cp $T/pA.orig "$pdata"
# keys from the config's imageSignatures, by repository pattern
cat >$T/bh.yaml <<EOC
imageSignatures:
  - repository: "127.0.0.1:*/test/signed"
    keys: [$T/k1.pub]
EOC
verdict "valid, key from the config's imageSignatures" BH0310 "verifies with $T/k1.pub" 0 --verify --config $T/bh.yaml "docker://127.0.0.1:$P/test/signed:valid"
"$BH" image --format json --registry-ca $T/ca.crt --verify --config $T/bh.yaml "docker://127.0.0.1:$P/test/min:1" >$T/v.json 2>/dev/null
check "a repository without configured keys gets no signature finding" jq -e 'all(.findings[]; .rule | test("BH03(08|09|10)") | not)' $T/v.json >/dev/null
printf 'imageSignatures:\n  - repository: x\n    key: y\n' >$T/bad.yaml
"$BH" image --verify --config $T/bad.yaml "docker://127.0.0.1:$P/test/min:1" >/dev/null 2>$T/bad.err; rc=$?
check "a config with an unknown key in imageSignatures: exit 2 with line:col ($(head -1 $T/bad.err))" sh -c "[ $rc = 2 ] && grep -q ':3:5' $T/bad.err"

# failures: exit 2 with a clear error
err() { # NAME MESSAGE-PART ARGS…
	local name=$1 m=$2; shift 2
	"$BH" image --format json "$@" >$T/e.json 2>/dev/null; local rc=$?
	check "$name: exit 2, \"$m\" ($(jq -r '.errors[0].message // .error' $T/e.json | head -c 200))" \
		sh -c "[ $rc = 2 ] && jq -e --arg m '$m' 'any(.errors[]; .message | contains(\$m))' $T/e.json >/dev/null"
}
err "without the test CA the TLS certificate is refused" "SSL" "docker://127.0.0.1:$P/test/fat:1"
err "an unknown tag" "HTTP 404" --registry-ca $T/ca.crt "docker://127.0.0.1:$P/test/fat:nope"
err "a digest that is not one" "is not an image reference" --registry-ca $T/ca.crt "docker://127.0.0.1:$P/test/fat@sha256:xyz"
# tamper with the config blob in the registry's storage: the registry serves it, bulkhead refuses it
cd_=$(jq -r '.config.digest' $T/fat/blobs/sha256/${fd#sha256:}); h=${cd_#sha256:}
data=$T/store/docker/registry/v2/blobs/sha256/${h:0:2}/$h/data
if [ -f "$data" ]; then
	sed -i 's/"admin"/"nobody"/' "$data"
	err "config tampered in the registry's storage" "digest mismatch: expected $cd_" --registry-ca $T/ca.crt "docker://127.0.0.1:$P/test/fat:1"
else
	fail "the registry's storage has no $data"
fi
lh=$(jq -r '.layers[0].digest' $T/fat/blobs/sha256/${fd#sha256:}); lh=${lh#sha256:}
ld=$T/store/docker/registry/v2/blobs/sha256/${lh:0:2}/$lh/data
cp $T/l2.tzst "$ld"   # another valid layer in place of the first
err "layer replaced in the registry's storage" "digest mismatch: expected sha256:$lh" --registry-ca $T/ca.crt "docker://127.0.0.1:$P/test/fat:2"
finish
