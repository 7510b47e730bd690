# A local registry for the image tests: Debian's docker-registry on 127.0.0.1 over TLS with a CA made here,
# images pushed with curl through the registry API, cosign-style signatures made with openssl.
# Source after tests/lib.sh and tests/image/lib.sh; needs $T. Sets P (port), R (base URL), C (curl).

# reg_certs: $T/ca.crt, $T/srv.crt and $T/srv.key for 127.0.0.1
reg_certs() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=bulkhead-test-ca \
		-keyout $T/ca.key -out $T/ca.crt 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 -keyout $T/srv.key -out $T/srv.csr 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' >$T/ext
	openssl x509 -req -in $T/srv.csr -CA $T/ca.crt -CAkey $T/ca.key -CAcreateserial -days 1 -extfile $T/ext -out $T/srv.crt 2>/dev/null
}

# reg_start NAME [EXTRA-YAML]: a registry storing in $T/NAME on a free port; sets P and the variable
# <NAME>_PID (kill it at the end). EXTRA-YAML: more top-level config (auth: …)
reg_start() {
	local name=$1 extra=${2:-} pid
	for _ in 1 2 3 4 5; do
		P=$((20000 + RANDOM % 20000))
		cat >$T/$name.yml <<EOC
version: 0.1
log: {level: ${REG_LOG:-error}}
storage: {filesystem: {rootdirectory: $T/$name}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$P, tls: {certificate: $T/srv.crt, key: $T/srv.key}}
$extra
EOC
		"$REG" serve $T/$name.yml >$T/$name.log 2>&1 & pid=$!
		for _ in $(seq 50); do
			# 200, or 401 when the registry asks for authentication: it serves
			case $(curl -s -o /dev/null -w '%{http_code}' --cacert $T/ca.crt https://127.0.0.1:$P/v2/ 2>/dev/null) in
			200 | 401) eval "${name}_PID=$pid"; R=https://127.0.0.1:$P; C="curl -sf --cacert $T/ca.crt"; return 0 ;;
			esac
			kill -0 $pid 2>/dev/null || break
			sleep 0.1
		done
		kill $pid 2>/dev/null; wait $pid 2>/dev/null
	done
	return 1
}

push_blob() { # REPO FILE
	local h loc; h=$(sha256sum "$2" | cut -d' ' -f1)
	loc=$($C -D - -o /dev/null -X POST "$R/v2/$1/blobs/uploads/" | tr -d '\r' | awk 'tolower($1) == "location:" {print $2}')
	case $loc in /*) loc=$R$loc ;; esac
	case $loc in *\?*) loc="$loc&digest=sha256:$h" ;; *) loc="$loc?digest=sha256:$h" ;; esac
	$C -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$2" "$loc" -o /dev/null
}
push_layout() { # LAYOUT REPO TAG: every blob, then the index's first manifest under TAG
	local b d mt
	for b in "$1"/blobs/sha256/*; do push_blob "$2" "$b" || return 1; done
	d=$(jq -r '.manifests[0].digest' "$1/index.json"); mt=$(jq -r '.mediaType // "application/vnd.oci.image.manifest.v1+json"' "$1/blobs/sha256/${d#sha256:}")
	$C -X PUT -H "Content-Type: $mt" --data-binary @"$1/blobs/sha256/${d#sha256:}" "$R/v2/$2/manifests/$3" -o /dev/null
}

# ---- cosign-style signatures ----
# sig_keys: P-256 keys k1, k2 and an Ed25519 key ed ($T/NAME.pem private, $T/NAME.pub public)
sig_keys() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $T/k1.pem 2>/dev/null
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $T/k2.pem 2>/dev/null
	openssl genpkey -algorithm ed25519 -out $T/ed.pem 2>/dev/null
	for k in k1 k2 ed; do openssl pkey -in $T/$k.pem -pubout -out $T/$k.pub 2>/dev/null; done
	printf '{}' >$T/empty.json
}
variant() { # NAME USER LAYER [REPO]: a one-layer image with another user, pushed as REPO:NAME; prints its digest
	local repo=${4:-test/signed}
	mkoci $T/v-$1 "\"User\": \"$2\"" "$3" >/dev/null
	push_layout $T/v-$1 $repo $1 && jq -r '.manifests[0].digest' $T/v-$1/index.json
}
payload() { # DIGEST OUT [REPO]
	printf '{"critical":{"identity":{"docker-reference":"127.0.0.1:%s/%s"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' \
		"$P" "${3:-test/signed}" "$1" >"$2"
}
put_sig() { # FOR-DIGEST PAYLOAD-FILE SIGNATURE-BASE64 [REPO]: the signature manifest under sha256-<hex>.sig
	local pd ps cd_ repo=${4:-test/signed}
	push_blob $repo $T/empty.json; push_blob $repo "$2"
	pd=sha256:$(sha256sum "$2" | cut -d' ' -f1); ps=$(stat -c %s "$2"); cd_=sha256:$(sha256sum $T/empty.json | cut -d' ' -f1)
	printf '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "%s", "size": 2}, "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "digest": "%s", "size": %s, "annotations": {"dev.cosignproject.cosign/signature": "%s"}}]}' \
		"$cd_" "$pd" "$ps" "$3" >$T/sigm.json
	$C -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @$T/sigm.json \
		"$R/v2/$repo/manifests/sha256-${1#sha256:}.sig" -o /dev/null
}
sign_ec() { openssl dgst -sha256 -sign "$1" "$2" | base64 -w0; }
sign_ed() { openssl pkeyutl -sign -inkey "$1" -rawin -in "$2" | base64 -w0; }
# sig_variants LAYER: test/signed images of LAYER with their signatures; sets their digests
#   dA valid (P-256 key k1)   dE valid (Ed25519)   dB unsigned
#   dC tampered (payload edited after signing)   dD mismatch (image A's valid signature under D's tag)
sig_variants() {
	dA=$(variant valid 10001 "$1"); payload $dA $T/pA; put_sig $dA $T/pA "$(sign_ec $T/k1.pem $T/pA)"
	dE=$(variant ed 10002 "$1"); payload $dE $T/pE; put_sig $dE $T/pE "$(sign_ed $T/ed.pem $T/pE)"
	dB=$(variant unsigned 10003 "$1")
	local sC
	dC=$(variant tampered 10004 "$1"); payload $dC $T/pC; sC=$(sign_ec $T/k1.pem $T/pC)
	sed 's/test\/signed/test\/evil/' $T/pC >$T/pC2; put_sig $dC $T/pC2 "$sC"
	dD=$(variant mismatch 10005 "$1"); put_sig $dD $T/pA "$(sign_ec $T/k1.pem $T/pA)"
}
