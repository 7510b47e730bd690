#!/usr/bin/env bash
# Makes the webhook's TLS material with openssl and fills caBundle in the ValidatingWebhookConfiguration.
#
#   deploy/gen-certs.sh [--out DIR] [--namespace NS] [--service NAME] [--days N] [--dns NAME]... [--ip ADDR]...
#                       [--webhook FILE] [--secret]
#
# Writes DIR/ca.crt, DIR/ca.key, DIR/tls.crt (leaf then CA), DIR/tls.key. The leaf's subjectAltName holds
# SERVICE.NS.svc and SERVICE.NS.svc.cluster.local (the API server verifies SANs only: CN-only certificates
# fail since Kubernetes 1.19) plus every --dns / --ip. With --webhook FILE, writes DIR/<basename of FILE>
# with every `caBundle:` value replaced by the base64 CA (the source file is not changed). With --secret,
# writes DIR/secret.yaml: the kubernetes.io/tls Secret the Deployment mounts.
# Keys are ECDSA P-256 (fast handshakes); the CA key never leaves DIR: keep it offline or delete it.
set -euo pipefail
out=certs ns=bulkhead svc=bulkhead days=365 webhook= secret=0
dns=() ips=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--namespace) ns=$2; shift 2 ;;
	--service) svc=$2; shift 2 ;;
	--days) days=$2; shift 2 ;;
	--dns) dns+=("$2"); shift 2 ;;
	--ip) ips+=("$2"); shift 2 ;;
	--webhook) webhook=$2; shift 2 ;;
	--secret) secret=1; shift ;;
	-h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "gen-certs.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
command -v openssl >/dev/null || { echo "gen-certs.sh: openssl is required" >&2; exit 2; }
mkdir -p "$out"
umask 077
san="DNS:$svc.$ns.svc,DNS:$svc.$ns.svc.cluster.local"
for d in "${dns[@]+"${dns[@]}"}"; do san="$san,DNS:$d"; done
for i in "${ips[@]+"${ips[@]}"}"; do san="$san,IP:$i"; done

if [ ! -s "$out/ca.key" ] || [ ! -s "$out/ca.crt" ]; then
	openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -days "$((days * 3))" \
		-subj "/CN=bulkhead webhook CA" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-keyout "$out/ca.key" -out "$out/ca.crt" 2>/dev/null
fi
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -subj "/CN=$svc.$ns.svc" \
	-keyout "$out/tls.key.new" -out "$out/tls.csr" 2>/dev/null
ext=$(mktemp); trap 'rm -f "$ext"' EXIT
printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$san" >"$ext"
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial -sha256 \
	-days "$days" -extfile "$ext" -out "$out/tls.crt.new" 2>/dev/null
cat "$out/ca.crt" >>"$out/tls.crt.new"
rm -f "$out/tls.csr" "$out/ca.srl"
# key first, then certificate: a server reloading between the two renames sees a mismatch and keeps the
# old pair until the certificate arrives (bulkhead checks that key and certificate belong together)
mv -f "$out/tls.key.new" "$out/tls.key"
mv -f "$out/tls.crt.new" "$out/tls.crt"
chmod 0644 "$out/tls.crt" "$out/ca.crt"

ca_b64=$(base64 -w0 <"$out/ca.crt")
if [ -n "$webhook" ]; then
	dest="$out/$(basename "$webhook")"
	sed -E "s|^([[:space:]]*caBundle:).*|\1 $ca_b64|" "$webhook" >"$dest"
	chmod 0644 "$dest"
	echo "gen-certs.sh: wrote $dest (caBundle filled)"
fi
if [ "$secret" = 1 ]; then
	cat >"$out/secret.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: $svc-tls
  namespace: $ns
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 <"$out/tls.crt")
  tls.key: $(base64 -w0 <"$out/tls.key")
YAML
	echo "gen-certs.sh: wrote $out/secret.yaml"
fi
echo "gen-certs.sh: $out/tls.crt for $san, valid $days days"
