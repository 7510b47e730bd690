/* Cosign-style signatures (sigstore/cosign specs/SIGNATURE_SPEC.md): the signature of image digest D is an
 * OCI manifest tagged "sha256-<hex of D>.sig" in the same repository; each layer is a simple-signing
 * payload (application/vnd.dev.cosign.simplesigning.v1+json)
 *   {"critical": {"identity": {"docker-reference": …}, "image": {"docker-manifest-digest": "sha256:…"},
 *                 "type": "cosign container image signature"}, "optional": …}
 * with the base64 signature over the payload's bytes in the layer annotation
 * "dev.cosignproject.cosign/signature". Keys are PEM public keys (SubjectPublicKeyInfo): ECDSA P-256 with
 * SHA-256 (DER signatures) or Ed25519, verified with GnuTLS. Keyless (Fulcio certificates, Rekor
 * inclusion proofs) is not implemented. */
#include <errno.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/json.h"
#include "image.h"

static int load_key(const char *file, gnutls_pubkey_t *pk, gnutls_sign_algorithm_t *alg, char *why, size_t n)
{
	gnutls_datum_t d = {0};
	if (gnutls_load_file(file, &d) < 0)
		return snprintf(why, n, "key %s: cannot read it", file), -1;
	int rc = -1;
	if (gnutls_pubkey_init(pk) < 0) {
		snprintf(why, n, "key %s: out of memory", file);
	} else if (gnutls_pubkey_import(*pk, &d, GNUTLS_X509_FMT_PEM) < 0) {
		snprintf(why, n, "key %s: not a PEM public key", file);
		gnutls_pubkey_deinit(*pk);
	} else {
		unsigned bits = 0;
		int pa = gnutls_pubkey_get_pk_algorithm(*pk, &bits);
		gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
		if (pa == GNUTLS_PK_ECDSA)
			gnutls_pubkey_export_ecc_raw(*pk, &curve, NULL, NULL);
		*alg = pa == GNUTLS_PK_EDDSA_ED25519 ? GNUTLS_SIGN_EDDSA_ED25519
		     : pa == GNUTLS_PK_ECDSA && curve == GNUTLS_ECC_CURVE_SECP256R1 ? GNUTLS_SIGN_ECDSA_SHA256
										      : GNUTLS_SIGN_UNKNOWN;
		if (*alg == GNUTLS_SIGN_UNKNOWN) {
			snprintf(why, n, "key %s: only ECDSA P-256 and Ed25519 keys are supported", file);
			gnutls_pubkey_deinit(*pk);
		} else {
			rc = 0;
		}
	}
	gnutls_free(d.data);
	return rc;
}

int bh_img_sig_verify(const char *payload, size_t plen, const char *sig_b64, const char *keyfile, char *why, size_t n)
{
	gnutls_pubkey_t pk;
	gnutls_sign_algorithm_t alg;
	if (load_key(keyfile, &pk, &alg, why, n))
		return -1;
	gnutls_datum_t in = {(unsigned char *)sig_b64, (unsigned)strlen(sig_b64)}, sig = {0};
	int rc = 0;
	if (gnutls_base64_decode2(&in, &sig) < 0) {
		snprintf(why, n, "the signature annotation is not base64");
	} else {
		gnutls_datum_t data = {(unsigned char *)payload, (unsigned)plen};
		rc = gnutls_pubkey_verify_data2(pk, alg, 0, &data, &sig) >= 0;
		if (!rc)
			snprintf(why, n, "the signature does not verify with %s", keyfile);
	}
	gnutls_free(sig.data);
	gnutls_pubkey_deinit(pk);
	return rc;
}

static const char *path_str(const struct bh_node *n, const char *const *keys)
{
	for (; n && *keys; keys++)
		n = bh_map_get(n, *keys, BH_READ_LAST, NULL, NULL);
	const char *s;
	size_t l;
	return bh_as_str(n, &s, &l) == BH_OK ? s : NULL;
}

int bh_img_sig_payload(const char *payload, size_t plen, const char *digest, char *identity, size_t idn, char *why,
		       size_t n)
{
	struct bh_arena a;
	bh_arena_init(&a, 4u << 20);
	struct bh_json_reader r;
	struct bh_doc doc;
	struct bh_err e = {0};
	bh_json_init(&r, "payload", payload, plen, &bh_default_limits);
	int rc = 0;
	if (bh_json_next(&r, &a, &doc, &e) <= 0 || !doc.root || doc.root->type != BH_MAP) {
		snprintf(why, n, "the payload is not a JSON object");
	} else {
		static const char *const kd[] = {"critical", "image", "docker-manifest-digest", NULL};
		static const char *const kt[] = {"critical", "type", NULL};
		static const char *const ki[] = {"critical", "identity", "docker-reference", NULL};
		const char *d = path_str(doc.root, kd), *t = path_str(doc.root, kt), *id = path_str(doc.root, ki);
		snprintf(identity, idn, "%s", id ? id : "");
		if (!t || strcmp(t, "cosign container image signature"))
			snprintf(why, n, "the payload's critical.type is not \"cosign container image signature\"");
		else if (!d || strcmp(d, digest))
			snprintf(why, n, "the payload signs %s, not this image's %s", d ? d : "no digest", digest);
		else
			rc = 1;
	}
	bh_arena_release(&a);
	return rc;
}
