#!/usr/bin/env bash
# bulkhead image: images built here (busybox-static and files this script writes; nothing downloaded) as
# OCI layouts and docker save archives; every image rule (BH0300–BH0307) fires where it should and not where
# a later layer removed the file; hostile images (paths climbing out, absolute paths, symlinks pointing out,
# digest mismatches, truncated layers, huge manifests, decompression bombs) are clear errors with exit 2.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
BB=$(command -v busybox || true)
if [ ! -x /bin/busybox ] && [ -z "$BB" ]; then skip "busybox-static not installed"; finish; exit; fi
BB=${BB:-/bin/busybox}
ids() { jq -r '[.findings[].rule] | sort | join(" ")' "$1"; }
has() { jq -e --arg r "$2" --arg m "$3" 'any(.findings[]; .rule == $r and (.message | contains($m)))' "$1" >/dev/null; }
hasnt() { jq -e --arg m "$2" 'all(.findings[]; (.message | contains($m)) | not)' "$1" >/dev/null; }

# ---- the "fat" image: three layers (plain, gzip, zstd) ----
R1=$T/r1 R2=$T/r2 R3=$T/r3
mkdir -p $R1/bin $R1/usr/bin $R1/usr/local/bin $R1/etc $R1/opt/tools $R1/tmp $R1/var/lib/x
cp "$BB" $R1/bin/busybox; ln -s busybox $R1/bin/sh
cp "$BB" $R1/bin/su; chmod 4755 $R1/bin/su
printf 'm' >$R1/usr/bin/mount; chmod 4755 $R1/usr/bin/mount        # whited out by layer 2
printf 's' >$R1/opt/tools/sudo; chmod 4755 $R1/opt/tools/sudo      # hidden by layer 2's opaque dir
printf 'x' >$R1/var/lib/x/suid; chmod 4755 $R1/var/lib/x/suid      # hidden: layer 3 makes var/lib/x a file
printf '#!/bin/sh\n' >$R1/usr/bin/apt-get; chmod 755 $R1/usr/bin/apt-get
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:0:0::/:/bin/sh\nweb:x:1000:1000::/:/bin/sh\n' >$R1/etc/passwd-img
ln -s ../../../../../../etc/passwd-img $R1/etc/passwd               # climbs out: must stay in the image
chmod 0777 $R1/usr/local/bin; chmod 1777 $R1/tmp
caps=0
cp "$BB" $R1/usr/bin/ping
if [ "$(id -u)" = 0 ] && command -v setcap >/dev/null && setcap cap_net_raw,cap_sys_admin+ep $R1/usr/bin/ping 2>/dev/null; then
	caps=1
fi
mkdir -p $R2/usr/bin $R2/opt/tools $R2/bin
: >$R2/usr/bin/.wh.mount; : >$R2/opt/tools/.wh..wh..opq; printf 'r' >$R2/opt/tools/readme
printf 'g' >$R2/bin/sgid; chmod 2755 $R2/bin/sgid
mkdir -p $R3/usr/bin $R3/var/lib
printf 'd' >$R3/usr/bin/dpkg; chmod 755 $R3/usr/bin/dpkg; printf 'file' >$R3/var/lib/x
mktar $R1 $T/l1.tar none; mktar $R2 $T/l2.tgz gzip; mktar $R3 $T/l3.tzst zstd
CFG='"User": "app", "Env": ["PATH=/usr/local/bin:/usr/bin:/bin"], "ExposedPorts": {"8080/tcp": {}, "53/udp": {}}'
mkoci $T/fat "$CFG" $T/l1.tar $T/l2.tgz $T/l3.tzst >/dev/null

"$BH" image --format json "oci:$T/fat" >$T/fat.json 2>$T/fat.err; rc=$?
check "fat image: exit 0 (its findings are medium and below; --fail-on high)" test $rc = 0
echo "# fat image findings: $(ids $T/fat.json)"
check "BH0300 image-runs-as-root: \"app\" is uid 0 in the image's /etc/passwd (through a symlink that climbs out)" \
	has $T/fat.json BH0300 '"app", which is uid 0'
check "BH0301 image-user-not-numeric" has $T/fat.json BH0301 'user "app" is a name'
check "BH0302 setuid /bin/su" has $T/fat.json BH0302 '/bin/su is setuid'
check "BH0302 setgid /bin/sgid (layer 2)" has $T/fat.json BH0302 '/bin/sgid is setgid'
check "whiteout .wh.mount removes layer 1's setuid /usr/bin/mount" hasnt $T/fat.json '/usr/bin/mount'
check "opaque dir hides layer 1's setuid /opt/tools/sudo" hasnt $T/fat.json '/opt/tools/sudo'
check "a file replacing a directory hides what lay under it (/var/lib/x/suid)" hasnt $T/fat.json '/var/lib/x/suid'
if [ $caps = 1 ]; then
	check "BH0303 file capabilities from the pax SCHILY.xattr.security.capability header" \
		has $T/fat.json BH0303 '/usr/bin/ping has file capabilities CAP_NET_RAW,CAP_SYS_ADMIN (effective)'
else
	skip "BH0303: setcap needs root and libcap2-bin"
fi
check "BH0304 shell /bin/sh (symlink to busybox), reported once" \
	jq -e '[.findings[] | select(.rule == "BH0304")] | length == 1 and (.[0].message | contains("/bin/sh"))' $T/fat.json >/dev/null
check "BH0305 package managers apt-get (layer 1) and dpkg (layer 3, zstd)" \
	jq -e '[.findings[] | select(.rule == "BH0305") | .field] | sort == ["/usr/bin/apt-get", "/usr/bin/dpkg"]' $T/fat.json >/dev/null
check "BH0306 world-writable PATH directory /usr/local/bin" has $T/fat.json BH0306 '/usr/local/bin is world-writable'
check "/tmp (1777, not on PATH) is not reported" hasnt $T/fat.json 'PATH directory /tmp'
check "BH0307 exposed ports 8080/tcp and 53/udp" \
	jq -e '[.findings[] | select(.rule == "BH0307") | .message] | length == 2' $T/fat.json >/dev/null
check "evidence names the layer digest and the path" \
	jq -e 'any(.findings[]; .rule == "BH0302" and (.evidence | test("layer 2/3 sha256:[0-9a-f]{64} .*/bin/sgid, mode 2755")))' $T/fat.json >/dev/null
check "findings' object is the image" jq -e --arg s "oci:$T/fat" 'all(.findings[]; .object.kind == "Image" and .object.name == $s)' $T/fat.json >/dev/null
"$BH" image --fail-on medium "$T/fat" >$T/fat.txt 2>&1; rc=$?
check "a directory without oci: is read as an OCI layout; --fail-on medium exits 1" test $rc = 1
check "text output names the rules" grep -q 'BH0302' $T/fat.txt
for f in sarif junit policyreport; do
	"$BH" image --format $f "$T/fat" >$T/fat.$f 2>/dev/null
	check "--format $f works" test -s $T/fat.$f
done

# ---- the same layers as a docker save archive ----
gzip -dc $T/l2.tgz >$T/l2.tar; zstd -qdc $T/l3.tzst >$T/l3.tar
mkdocker $T/fat-docker.tar "$CFG" $T/l1.tar $T/l2.tar $T/l3.tar
"$BH" image --format json "docker-archive:$T/fat-docker.tar" >$T/dk.json 2>$T/dk.err; rc=$?
check "docker-archive: read (exit $rc: $(head -c 200 $T/dk.err))" test $rc = 0
check "docker-archive: the same findings as the OCI layout" test "$(ids $T/dk.json)" = "$(ids $T/fat.json)"
"$BH" image --format json "$T/fat-docker.tar" >$T/dk2.json 2>/dev/null
check "a file without a prefix is read as a docker archive" test "$(ids $T/dk2.json)" = "$(ids $T/fat.json)"

# ---- minimal image: a static binary, numeric non-root user ----
mkdir -p $T/m/app; cp "$BB" $T/m/app/server
mktar $T/m $T/m.tgz gzip
mkoci $T/min '"User": "65532:65532"' $T/m.tgz >/dev/null
"$BH" image --format json --fail-on info "$T/min" >$T/min.json 2>&1; rc=$?
check "minimal image, numeric non-root user: no findings, exit 0" sh -c "[ $rc = 0 ] && jq -e '.findings == []' $T/min.json >/dev/null"
mkoci $T/num0 '"User": "0"' $T/m.tgz >/dev/null
mkoci $T/nouser '"Cmd": ["/app/server"]' $T/m.tgz >/dev/null
"$BH" image --format json "$T/num0" "$T/nouser" >$T/root.json 2>/dev/null
check "User \"0\" and no User both run as root (two images, one report)" \
	jq -e '[.findings[] | select(.rule == "BH0300")] | length == 2' $T/root.json >/dev/null

# ---- index with several platforms ----
cp -r $T/min $T/multi
d_fat=$(jq -r '.manifests[0].digest' $T/fat/index.json)
cp $T/fat/blobs/sha256/* $T/multi/blobs/sha256/
jq --arg d "$d_fat" '.manifests[0].platform.architecture = "arm64" | .manifests += [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": $d, "size": 1, "platform": {"os": "linux", "architecture": "amd64"}}]' \
	$T/min/index.json >$T/multi/index.json
"$BH" image --format json "$T/multi" >$T/multi.json 2>/dev/null
check "index: linux/amd64 is chosen by default" jq -e 'any(.findings[]; .rule == "BH0302")' $T/multi.json >/dev/null
"$BH" image --format json --platform linux/arm64 "$T/multi" >$T/multi2.json 2>/dev/null
check "index: --platform linux/arm64 chooses the other manifest" jq -e '.findings == []' $T/multi2.json >/dev/null
"$BH" image --format json --platform linux/s390x "$T/multi" >$T/multi3.json 2>/dev/null; rc=$?
check "index: an absent platform is an error naming it" sh -c "[ $rc = 2 ] && grep -q 'none for platform linux/s390x' $T/multi3.json"

# ---- hostile images: each a clear error, exit 2, and the other images are still reported ----
bad() { # NAME EXPECTED-MESSAGE-PART SPEC
	"$BH" image --format json "$3" "$T/min" >$T/bad.json 2>$T/bad.err; local rc=$?
	check "$1: exit 2, error \"$2\"" sh -c "[ $rc = 2 ] && jq -e --arg m '$2' 'any(.errors[]; .message | contains(\$m))' $T/bad.json >/dev/null"
	check "$1: the good image beside it is still read" jq -e '.summary.objects == 1' $T/bad.json >/dev/null
}
mkdir -p $T/ev; printf 'x' >$T/ev/f
tar -C $T/ev -P --transform 's,^\./f$,../../etc/cron.d/evil,' -cf $T/dotdot.tar ./f
mkoci $T/dotdot '' $T/dotdot.tar >/dev/null
bad "path climbing out with ../" 'climbs out with ".."' "$T/dotdot"
tar -C $T/ev -P --transform 's,^\./f$,/etc/evil,' -cf $T/abs.tar ./f
mkoci $T/abs '' $T/abs.tar >/dev/null
bad "absolute path in a layer" 'absolute path "/etc/evil"' "$T/abs"
cp -r $T/fat $T/tampered
lb=$(jq -r '.layers[1].digest' $T/fat/blobs/sha256/$(jq -r '.manifests[0].digest' $T/fat/index.json | cut -d: -f2) | cut -d: -f2)
gzip -dc $T/tampered/blobs/sha256/$lb | sed 's/\bg\b/G/' | gzip -n >$T/tl; cp $T/tl $T/tampered/blobs/sha256/$lb
bad "tampered layer (digest mismatch)" "digest mismatch: expected sha256:$lb" "$T/tampered"
cp -r $T/fat $T/tcfg
cb=$(jq -r '.config.digest' $T/fat/blobs/sha256/$(jq -r '.manifests[0].digest' $T/fat/index.json | cut -d: -f2) | cut -d: -f2)
sed 's/"app"/"web"/' $T/fat/blobs/sha256/$cb >$T/tcfg/blobs/sha256/$cb
bad "tampered config (User changed)" "config: digest mismatch" "$T/tcfg"
head -c 3000 $T/l1.tar >$T/trunc.tar
mkoci $T/trunc '' $T/trunc.tar >/dev/null
bad "truncated layer tar (digest right)" "layer 1 (" "$T/trunc"
mkdir -p $T/huge; { printf '{"schemaVersion": 2, "manifests": [], "x": "'; head -c 5000000 /dev/zero | tr '\0' a; printf '"}'; } >$T/huge/index.json
bad "index.json over 4 MiB" "larger than the limit of 4194304 bytes" "$T/huge"
mkdir -p $T/bomb; head -c 64000000 /dev/zero >$T/bomb/zeros
mktar $T/bomb $T/bomb.tzst zstd
mkoci $T/bombimg '' $T/bomb.tzst >/dev/null
echo "# bomb layer: $(stat -c %s $T/bomb.tzst) bytes of zstd, 64 MB unpacked"
"$BH" image --max-unpacked 16000000 --format json "$T/bombimg" >$T/bomb.json 2>&1; rc=$?
check "decompression bomb: stopped at the unpack limit before decompressing it (exit 2)" \
	sh -c "[ $rc = 2 ] && grep -q 'unpack to more than 16000000 bytes' $T/bomb.json"
mkdir -p $T/badd; printf '{"schemaVersion": 2, "manifests": [{"digest": "sha256:../../../../etc/passwd", "size": 1}]}' >$T/badd/index.json
bad "digest with a path in it" 'is not sha256:<64 hex digits>' "$T/badd"
printf 'not a tar at all' >$T/garbage
bad "docker archive that is no tar" "$T/garbage" "docker-archive:$T/garbage"
"$BH" image --format json "$T/nonexistent" >$T/ne.json 2>/dev/null; rc=$?
check "a missing image: exit 2 with the error in JSON" sh -c "[ $rc = 2 ] && jq -e '.errors | length == 1' $T/ne.json >/dev/null"
"$BH" image >/dev/null 2>$T/u.err; rc=$?
check "no image: usage error, exit 2" sh -c "[ $rc = 2 ] && grep -q 'no image given' $T/u.err"
finish
