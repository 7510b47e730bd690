#!/usr/bin/env bash
# Image signatures of workloads: `bulkhead scan --verify-images` and `bulkhead serve` with
# serve.verifyImages, against Debian's docker-registry on 127.0.0.1 over TLS (a CA made here), images built
# here from busybox-static, signed with keys made here. Outcomes: valid (ECDSA P-256, Ed25519), unsigned,
# wrong key, tampered payload, digest mismatch, a registry that accepts and never answers (onError deny and
# warn), a registry with htpasswd (bcrypt) Basic authentication. Serve: real TLS AdmissionReviews with curl;
# the cache is observed through /metrics, never through timing.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); store_PID=; auth_PID=; tokreg_PID=; REALM_PID=; HANG_PID=; SPID=
trap 'for p in $store_PID $auth_PID $tokreg_PID $REALM_PID $HANG_PID $SPID; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"' EXIT
[ -n "${KEEP_T:-}" ] && trap 'for p in $store_PID $auth_PID $tokreg_PID $REALM_PID $HANG_PID; do kill "$p" 2>/dev/null; done; echo kept $T' EXIT
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/reglib.sh"
REG=$(command -v docker-registry || true)
BB=$(command -v busybox || echo /bin/busybox)
if [ -z "$REG" ] || [ ! -x "$BB" ]; then skip "docker-registry or busybox-static not installed"; finish; exit; fi
export LC_ALL=C

reg_certs
# info level: the access log shows every request, to count the signature fetches
if ! REG_LOG=info reg_start store; then fail "docker-registry did not start: $(tail -3 $T/store.log)"; finish; exit; fi
ok "docker-registry serves TLS on 127.0.0.1:$P"
RP=$P RR=$R
H=127.0.0.1:$RP

# ---- images and signatures ----
mkdir -p $T/m/app; cp "$BB" $T/m/app/server; mktar $T/m $T/m.tgz gzip
sig_keys
sig_variants $T/m.tgz
# the same bytes in a repository whose policy wants key k2: signed with k1, so the wrong key
dW=$(variant wrongkey 10001 $T/m.tgz test/k2only); payload $dW $T/pW test/k2only
put_sig $dW $T/pW "$(sign_ec $T/k1.pem $T/pW)" test/k2only
check "images and signatures pushed" test -n "$dA" -a -n "$dE" -a -n "$dB" -a -n "$dC" -a -n "$dD" -a -n "$dW"

# a registry that accepts TLS connections and never answers: openssl s_server waiting on a silent stdin
HP=$((20000 + RANDOM % 20000))
mkfifo $T/silent; exec 7<>$T/silent   # a stdin nobody ever writes to
openssl s_server -quiet -accept $HP -cert $T/srv.crt -key $T/srv.key <$T/silent >/dev/null 2>&1 & HANG_PID=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$HP) 2>/dev/null && break; sleep 0.1; done

cat >$T/bh.yaml <<EOC
imageSignatures:
  - repository: "127.0.0.1:*/test/signed"
    keys: [$T/k1.pub, $T/ed.pub]
  - repository: "127.0.0.1:*/test/k2only"
    keys: [$T/k2.pub]
  - repository: "127.0.0.1:$HP/hang/deny"
    keys: [$T/k1.pub]
  - repository: "127.0.0.1:$HP/hang/warn"
    keys: [$T/k1.pub]
    onError: warn
EOC

# ---- scan --verify-images: every place an image sits ----
cat >$T/w.yaml <<EOC
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers:
        - name: init
          image: $H/test/signed:tampered
      containers:
        - name: valid
          image: $H/test/signed:valid
        - name: unsigned
          image: $H/test/signed:unsigned
        - name: plain
          image: $H/test/min:1
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: team}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: job
              image: $H/test/signed:mismatch
            - name: again
              image: $H/test/signed:valid
---
apiVersion: v1
kind: Pod
metadata: {name: pinned, namespace: team}
spec:
  containers:
    - name: ed
      image: $H/test/signed@$dE
  ephemeralContainers:
    - name: debug
      image: $H/test/k2only:wrongkey
EOC
at() { # IMAGE-SUFFIX: "line:col" of the image value in w.yaml (first match)
	awk -v s="image: $H/$1" 'index($0, s) && !f { print NR ":" index($0, "image:") + 7; f = 1 }' $T/w.yaml
}
"$BH" scan --verify-images --config $T/bh.yaml --registry-ca $T/ca.crt --pss none --format json $T/w.yaml >$T/s.json 2>$T/s.err; rc=$?
echo "# scan: exit $rc; $(jq -r '[.findings[] | select(.rule | test("BH03")) | "\(.rule)@\(.location.line):\(.location.column)"] | join(" ")' $T/s.json)"
check "scan --verify-images: exit 1 (high findings)" test $rc = 1
sv() { # NAME RULE SEVERITY IMAGE-SUFFIX MESSAGE-PART
	check "scan: $1 → $2 $3 at $(at "$4") (\"$5\")" jq -e --arg r "$2" --arg s "$3" --arg l "$(at "$4")" --arg m "$5" \
		'any(.findings[]; .rule == $r and .severity == $s and "\(.location.line):\(.location.column)" == $l and (.message | contains($m)))' $T/s.json >/dev/null
}
sv "valid (ECDSA P-256, by tag, Deployment container)" BH0310 info test/signed:valid "verifies with $T/k1.pub"
sv "valid (Ed25519, by digest, Pod)" BH0310 info "test/signed@$dE" "($dE) verifies with $T/ed.pub"
sv "unsigned (Deployment container)" BH0308 high test/signed:unsigned "no tag sha256-${dB#sha256:}.sig"
sv "tampered payload (initContainer)" BH0309 high test/signed:tampered "does not verify"
sv "digest mismatch (CronJob)" BH0309 high test/signed:mismatch "the payload signs $dA, not this image's $dD"
sv "wrong key (ephemeralContainer)" BH0309 high test/k2only:wrongkey "does not verify with $T/k2.pub"
check "scan: the CronJob's second container with the valid image also verified" \
	jq -e '[.findings[] | select(.rule == "BH0310" and (.message | contains("test/signed:valid")))] | length == 2' $T/s.json >/dev/null
check "scan: an image of a repository without a policy gets no signature finding" \
	jq -e 'all(.findings[]; (.rule | test("BH03")) and (.message | contains("test/min")) | not)' $T/s.json >/dev/null
check "scan: the findings name the container field" \
	jq -e 'any(.findings[]; .rule == "BH0309" and .field == "spec.jobTemplate.spec.template.spec.containers[0].image")' $T/s.json >/dev/null
n=$(grep -c "\"GET /v2/test/signed/manifests/sha256-${dA#sha256:}.sig" $T/store.log)
check "scan: the valid image (in two workloads) had its signature fetched once ($n GETs in the registry log)" test "$n" = 1

# a registry that never answers: onError deny → BH0318 high, warn → medium; the scan still ends
cat >$T/h.yaml <<EOC
apiVersion: v1
kind: Pod
metadata: {name: hung, namespace: team}
spec:
  containers:
    - name: deny
      image: 127.0.0.1:$HP/hang/deny:1
    - name: warn
      image: 127.0.0.1:$HP/hang/warn:1
EOC
"$BH" scan --verify-images --config $T/bh.yaml --registry-ca $T/ca.crt --registry-timeout 1 --pss none --format json $T/h.yaml >$T/h.json 2>/dev/null; rc=$?
echo "# hung: exit $rc; $(jq -r '[.findings[] | select(.rule == "BH0318") | "\(.severity): \(.message)"] | join("; ")' $T/h.json)"
check "scan: a hanging registry, onError deny → BH0318 high, exit 1" sh -c "[ $rc = 1 ] && jq -e 'any(.findings[]; .rule == \"BH0318\" and .severity == \"high\" and (.message | contains(\"onError: deny\")))' $T/h.json >/dev/null"
check "scan: a hanging registry, onError warn → BH0318 medium" \
	jq -e 'any(.findings[]; .rule == "BH0318" and .severity == "medium" and (.message | contains("hang/warn")) and (.message | contains("timed out") or contains("Timeout")))' $T/h.json >/dev/null
printf 'imageSignatures:\n  - repository: x\n    keys: [k]\n    onError: maybe\n' >$T/bad.yaml
"$BH" scan --verify-images --config $T/bad.yaml $T/h.yaml >/dev/null 2>$T/bad.err; rc=$?
check "config: onError other than deny|warn → exit 2 with line:col ($(head -1 $T/bad.err))" sh -c "[ $rc = 2 ] && grep -q ':4:14' $T/bad.err"

# ---- Basic authentication (htpasswd with bcrypt) on a second registry ----
BC=$(python3 -c 'import crypt; print(crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH)))' 2>/dev/null || true)
case $BC in
'$2'*)
	printf 'alice:%s\n' "$BC" >$T/htpasswd
	if reg_start auth "auth: {htpasswd: {realm: bulkhead-test, path: $T/htpasswd}}"; then
		C="curl -sf --cacert $T/ca.crt -u alice:s3cret"
		AH=127.0.0.1:$P
		dX=$(variant valid 10001 $T/m.tgz test/signed); payload $dX $T/pX; put_sig $dX $T/pX "$(sign_ec $T/k1.pem $T/pX)"
		printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - name: c\n      image: %s/test/signed:valid\n' "$AH" >$T/a.yaml
		"$BH" scan --verify-images --config $T/bh.yaml --registry-ca $T/ca.crt --docker-config /nonexistent --pss none --format json $T/a.yaml >$T/a0.json 2>/dev/null
		check "basic auth: without credentials the registry refuses → BH0318 (HTTP 401)" \
			jq -e 'any(.findings[]; .rule == "BH0318" and (.message | contains("401")))' $T/a0.json >/dev/null
		printf '{"auths": {"%s": {"auth": "%s"}}}' "$AH" "$(printf alice:s3cret | base64 -w0)" >$T/docker.json
		"$BH" scan --verify-images --config $T/bh.yaml --registry-ca $T/ca.crt --docker-config $T/docker.json --pss none --format json $T/a.yaml >$T/a1.json 2>/dev/null; rc=$?
		check "basic auth: credentials from a docker config.json → verified (exit $rc)" \
			sh -c "[ $rc = 0 ] && jq -e 'any(.findings[]; .rule == \"BH0310\")' $T/a1.json >/dev/null"
		printf '{"auths": {"https://%s": {"auth": "%s"}}}' "$AH" "$(printf alice:wrong | base64 -w0)" >$T/docker2.json
		"$BH" scan --verify-images --config $T/bh.yaml --registry-ca $T/ca.crt --docker-config $T/docker2.json --pss none --format json $T/a.yaml >$T/a2.json 2>/dev/null
		check "basic auth: a wrong password → BH0318, not a pass" jq -e 'any(.findings[]; .rule == "BH0318") and all(.findings[]; .rule != "BH0310")' $T/a2.json >/dev/null
		C="curl -sf --cacert $T/ca.crt"; P=$RP; R=$RR
	else
		fail "docker-registry with htpasswd did not start: $(tail -3 $T/auth.log)"
	fi ;;
*) skip "no bcrypt (python3 crypt module): Basic authentication not tested" ;;
esac

# ---- Bearer tokens (the distribution token protocol) on a third registry ----
# The registry trusts tokens signed by a certificate made here (rootcertbundle); its realm is
# `openssl s_server -WWW`, which serves the file named like the request path with its query: a JWT (ES256,
# x5c) minted here with openssl that grants pull on test/signed.
b64u() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
jwt() { # ACTIONS-JSON: a token for test/signed from issuer bulkhead-issuer to service bulkhead-test
	local now h c r s
	now=$(date +%s)
	h=$(printf '{"typ":"JWT","alg":"ES256","x5c":["%s"]}' "$(openssl x509 -in $T/tok.crt -outform DER | base64 -w0)" | b64u)
	c=$(printf '{"iss":"bulkhead-issuer","sub":"alice","aud":"bulkhead-test","exp":%s,"nbf":%s,"iat":%s,"jti":"bh-%s","access":[{"type":"repository","name":"test/signed","actions":%s}]}' \
		$((now + 3600)) $((now - 60)) $((now - 60)) "$RANDOM" "$1" | b64u)
	printf '%s.%s' "$h" "$c" | openssl dgst -sha256 -sign $T/tok.key >$T/jwt.der
	# JWS wants r || s, 32 bytes each, not the DER sequence openssl writes
	read -r r s < <(openssl asn1parse -inform DER -in $T/jwt.der | awk -F: '/INTEGER/ {printf "%s ", $NF}')
	printf '%s.%s.%s' "$h" "$c" "$(printf '%64s%64s' "${r: -64}" "${s: -64}" | tr ' ' 0 | xxd -r -p | b64u)"
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=bulkhead-test-token \
	-keyout $T/tok.key -out $T/tok.crt 2>/dev/null
TP=$((20000 + RANDOM % 20000))
mkdir -p $T/realm
if ! command -v xxd >/dev/null; then
	skip "xxd not installed: the Bearer token path is not tested"
elif reg_start tokreg "auth: {token: {realm: \"https://127.0.0.1:$TP/token\", service: bulkhead-test, issuer: bulkhead-issuer, rootcertbundle: $T/tok.crt}}"; then
	TH=127.0.0.1:$P
	printf 'header = "Authorization: Bearer %s"\n' "$(jwt '["pull","push"]')" >$T/push.curl
	C="curl -sf --cacert $T/ca.crt -K $T/push.curl"
	dT=$(variant valid 10001 $T/m.tgz test/signed); payload $dT $T/pT; put_sig $dT $T/pT "$(sign_ec $T/k1.pem $T/pT)"
	check "token registry: pushed with a push token (curl)" test -n "$dT"
	printf '{"token": "%s"}' "$(jwt '["pull"]')" >"$T/realm/token?service=bulkhead-test&scope=repository%3Atest%2Fsigned%3Apull"
	(cd $T/realm && exec openssl s_server -quiet -WWW -accept $TP -cert $T/srv.crt -key $T/srv.key </dev/null >$T/realm.log 2>&1) & REALM_PID=$!
	for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$TP) 2>/dev/null && break; sleep 0.1; done
	printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: t}\nspec:\n  containers:\n    - name: c\n      image: %s/test/signed:valid\n' "$TH" >$T/t.yaml
	"$BH" scan --verify-images --config $T/bh.yaml --registry-ca $T/ca.crt --docker-config /nonexistent --pss none --format json $T/t.yaml >$T/t1.json 2>/dev/null; rc=$?
	check "bearer token: 401 challenge → token from the realm → verified (exit $rc: $(jq -r '[.findings[] | select(.rule | test("BH03")) | .message] | join("; ")' $T/t1.json | head -c 300))" \
		sh -c "[ $rc = 0 ] && jq -e 'any(.findings[]; .rule == \"BH0310\")' $T/t1.json >/dev/null"
	kill $REALM_PID 2>/dev/null; wait $REALM_PID 2>/dev/null; REALM_PID=
	"$BH" scan --verify-images --config $T/bh.yaml --registry-ca $T/ca.crt --docker-config /nonexistent --registry-timeout 3 --pss none --format json $T/t.yaml >$T/t2.json 2>/dev/null
	check "bearer token: the realm down → BH0318, not a pass" jq -e 'any(.findings[]; .rule == "BH0318") and all(.findings[]; .rule != "BH0310")' $T/t2.json >/dev/null
	C="curl -sf --cacert $T/ca.crt"; P=$RP; R=$RR
else
	fail "docker-registry with token auth did not start: $(tail -3 $T/tokreg.log)"
fi

# ---- serve: admission with the verifier ----
[ -n "${STOP_AFTER_SCAN:-}" ] && { finish; exit; }
. "$TOP/tests/serve/lib-serve.sh"   # its own $W, cleaned at exit with the server
trap 'for p in $store_PID $auth_PID $tokreg_PID $REALM_PID $HANG_PID $PID; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T" "$W"' EXIT
certs "$W/certs"
{ cat $T/bh.yaml; printf 'serve:\n  verifyImages: true\n  imageVerifyTimeoutMs: 800\n'; } >$W/config.yaml
if ! start_server --config "$W/config.yaml" --registry-ca $T/ca.crt; then fail "serve did not start: $(tail -3 $W/log)"; finish; exit; fi
podrev() { # NAME IMAGE…: an AdmissionReview of a hardened pod with these images
	local name=$1 i=0 cs=""; shift
	for img in "$@"; do i=$((i + 1)); cs="$cs${cs:+,}{\"name\": \"c$i\", \"image\": \"$img\", \"securityContext\": {\"allowPrivilegeEscalation\": false, \"capabilities\": {\"drop\": [\"ALL\"]}}}"; done
	printf '{"securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}}, "containers": [%s]}' "$cs" >$W/$name.spec
	object Pod $W/$name.spec $name >$W/$name.obj
	review CREATE $W/$name.obj >$W/$name.json
}
settle() { # REVIEW: posts until the answer is no longer "could not be verified in time" (a loaded machine or
	# a sanitizer build may need more than the budget for a cold verification; the cache then has the verdict)
	for _ in $(seq 30); do
		post "$1" >/dev/null
		grep -q 'verified in time' $W/body || return 0
		sleep 0.2
	done
}
podrev signed "$H/test/signed:valid"
settle $W/signed.json
check "serve: a signed image is allowed" J '.response.allowed == true' $W/body
h0=$(metric bulkhead_image_verify_cache_hits_total); v0=$(metric bulkhead_image_verify_verifications_total)
post $W/signed.json >/dev/null
h1=$(metric bulkhead_image_verify_cache_hits_total); v1=$(metric bulkhead_image_verify_verifications_total)
check "serve: the second review is answered from the cache (hits $h0 → $h1, verifications $v0 → $v1)" \
	sh -c "[ $h1 -gt $h0 ] && [ $v1 = $v0 ] && jq -e '.response.allowed == true' $W/body >/dev/null"
podrev unsigned "$H/test/signed:unsigned"
settle $W/unsigned.json
check "serve: an unsigned image is denied (BH0308)" J '.response.allowed == false and (.response.status.message | test("BH0308"))' $W/body
podrev wrong "$H/test/k2only:wrongkey" "$H/test/signed@$dE"
settle $W/wrong.json
check "serve: wrong key denied (BH0309) even beside a valid image" J '.response.allowed == false and (.response.status.message | test("BH0309"))' $W/body
podrev hang "127.0.0.1:$HP/hang/deny:2"
code=$(post $W/hang.json -w ' %{time_total}')
echo "# hang: $code"
check "serve: a registry that never answers → a decision (onError deny: denied, BH0318)" \
	J '.response.allowed == false and (.response.status.message | test("BH0318"))' $W/body
check "serve: … and /metrics counts the timeout" test "$(metric bulkhead_image_verify_timeouts_total)" -ge 1
podrev hangw "127.0.0.1:$HP/hang/warn:2"
post $W/hangw.json >/dev/null
check "serve: onError warn → allowed with a warning naming BH0318" J '.response.allowed == true and any(.response.warnings[]; test("BH0318"))' $W/body
# a flood of distinct images in one pod: bounded, answered
imgs=(); for i in $(seq 40); do imgs+=("127.0.0.1:$HP/hang/deny:f$i"); done
podrev flood "${imgs[@]}"
post $W/flood.json >/dev/null
check "serve: 40 distinct images of a hanging registry in one pod → denied, not stalled" J '.response.allowed == false' $W/body
check "serve: still healthy" test "$(CURL "$(URL /healthz)")" = ok
check "serve: stops cleanly (SIGTERM, the verifier's threads joined)" stop_server
check "serve: no sanitizer report in its log" sh -c "! grep -q 'Sanitizer\|runtime error' $W/log"
finish
