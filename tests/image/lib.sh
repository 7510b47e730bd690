# Building images in tests without downloading anything: OCI image layouts written by hand (tar, sha256sum,
# JSON by printf) from busybox-static and files the test writes, and `docker save`-style archives.
# Source after tests/lib.sh; needs $T (a temporary directory).

# blob LAYOUT FILE: stores FILE as a blob of LAYOUT; prints "sha256:<hex> <size>"
blob() {
	local h s
	h=$(sha256sum "$2" | cut -d' ' -f1); s=$(stat -c %s "$2")
	mkdir -p "$1/blobs/sha256"
	cp "$2" "$1/blobs/sha256/$h"
	echo "sha256:$h $s"
}

# mktar DIR OUT [gzip|zstd|none] [extra tar options…]: a layer tar of DIR's contents, owner root, pax headers
# (xattrs such as security.capability included)
mktar() {
	local dir=$1 out=$2 comp=${3:-none}; shift 3 || shift $#
	tar -C "$dir" --format=pax --xattrs --xattrs-include='security.*' --numeric-owner --owner=0 --group=0 \
		--sort=name --mtime=@0 "$@" -cf "$out.tar" .
	case $comp in
	gzip) gzip -n -c "$out.tar" >"$out"; rm -f "$out.tar" ;;
	zstd) zstd -q -c "$out.tar" >"$out"; rm -f "$out.tar" ;;
	*) mv "$out.tar" "$out" ;;
	esac
}

# mediatype of a layer file by its compression
layer_mt() {
	case $(head -c 4 "$1" | od -An -tx1 | tr -d ' ') in
	1f8b*) echo application/vnd.oci.image.layer.v1.tar+gzip ;;
	28b52ffd) echo application/vnd.oci.image.layer.v1.tar+zstd ;;
	*) echo application/vnd.oci.image.layer.v1.tar ;;
	esac
}

# diffid FILE: sha256 of the uncompressed tar
diffid() {
	case $(layer_mt "$1") in
	*gzip) gzip -dc "$1" | sha256sum | cut -d' ' -f1 ;;
	*zstd) zstd -qdc "$1" | sha256sum | cut -d' ' -f1 ;;
	*) sha256sum "$1" | cut -d' ' -f1 ;;
	esac
}

# mkoci LAYOUT CONFIG_EXTRA LAYER_FILE…: an OCI layout with one manifest; CONFIG_EXTRA is the JSON of the
# config's "config" object (e.g. '"User": "app", "ExposedPorts": {"8080/tcp": {}}'). Prints the manifest digest.
mkoci() {
	local L=$1 extra=$2; shift 2
	mkdir -p "$L"
	local layers="" diffs="" f d s
	for f in "$@"; do
		read -r d s < <(blob "$L" "$f")
		layers="$layers${layers:+, }{\"mediaType\": \"$(layer_mt "$f")\", \"digest\": \"$d\", \"size\": $s}"
		diffs="$diffs${diffs:+, }\"sha256:$(diffid "$f")\""
	done
	printf '{"architecture": "amd64", "os": "linux", "config": {%s}, "rootfs": {"type": "layers", "diff_ids": [%s]}}' \
		"$extra" "$diffs" >"$L/config.json"
	read -r d s < <(blob "$L" "$L/config.json")
	printf '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "%s", "size": %s}, "layers": [%s]}' \
		"$d" "$s" "$layers" >"$L/manifest.json"
	read -r d s < <(blob "$L" "$L/manifest.json")
	printf '{"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "%s", "size": %s, "platform": {"architecture": "amd64", "os": "linux"}, "annotations": {"org.opencontainers.image.ref.name": "test"}}]}' \
		"$d" "$s" >"$L/index.json"
	echo '{"imageLayoutVersion": "1.0.0"}' >"$L/oci-layout"
	rm -f "$L/config.json" "$L/manifest.json"
	echo "$d"
}

# mkdocker OUT CONFIG_EXTRA LAYER_TAR…: a `docker save` archive in the pre-25 layout (<id>/layer.tar,
# <hex>.json, manifest.json), layers uncompressed as docker writes them
mkdocker() {
	local out=$1 extra=$2; shift 2
	local D; D=$(mktemp -d "$T/dk.XXXXXX")
	local layers="" diffs="" f h i=0
	for f in "$@"; do
		h=$(sha256sum "$f" | cut -d' ' -f1)
		i=$((i + 1)); mkdir -p "$D/l$i"; cp "$f" "$D/l$i/layer.tar"
		layers="$layers${layers:+, }\"l$i/layer.tar\""
		diffs="$diffs${diffs:+, }\"sha256:$h\""
	done
	printf '{"architecture": "amd64", "os": "linux", "config": {%s}, "rootfs": {"type": "layers", "diff_ids": [%s]}}' \
		"$extra" "$diffs" >"$D/c.json"
	h=$(sha256sum "$D/c.json" | cut -d' ' -f1); mv "$D/c.json" "$D/$h.json"
	printf '[{"Config": "%s.json", "RepoTags": ["test/fat:1"], "Layers": [%s]}]' "$h" "$layers" >"$D/manifest.json"
	tar -C "$D" -cf "$out" .
	rm -rf "$D"
}
