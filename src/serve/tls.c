#include "tls.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/x509.h>

#include "util/file.h"

/* Certificates and keys are small; a file over this is not one. */
#define MAX_PEM (1u << 20)

void bh_certset_free(struct bh_certset *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->npcert; i++)
		gnutls_pcert_deinit(&c->pcert[i]);
	if (c->key)
		gnutls_privkey_deinit(c->key);
	free(c);
}

static int key_id(gnutls_pubkey_t k, unsigned char *out, size_t *n)
{
	return gnutls_pubkey_get_key_id(k, GNUTLS_KEYID_USE_SHA256, out, n);
}

struct bh_certset *bh_certset_load(const char *cert_file, const char *key_file, struct bh_err *err)
{
	char *cb = NULL, *kb = NULL;
	size_t cl = 0, kl = 0;
	struct bh_certset *c = calloc(1, sizeof(*c));
	gnutls_pubkey_t pub = NULL;
	int rc;
	if (!c) {
		bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
		return NULL;
	}
	if ((rc = bh_read_file(cert_file, MAX_PEM, &cb, &cl)) < 0) {
		bh_err_set(err, rc, 0, 0, "%s: %s", cert_file, strerror(-rc));
		goto fail;
	}
	if ((rc = bh_read_file(key_file, MAX_PEM, &kb, &kl)) < 0) {
		bh_err_set(err, rc, 0, 0, "%s: %s", key_file, strerror(-rc));
		goto fail;
	}
	gnutls_datum_t cd = {(unsigned char *)cb, (unsigned)cl}, kd = {(unsigned char *)kb, (unsigned)kl};
	c->npcert = BH_TLS_MAX_CHAIN;
	rc = gnutls_pcert_list_import_x509_raw(c->pcert, &c->npcert, &cd, GNUTLS_X509_FMT_PEM, 0);
	if (rc < 0 || c->npcert == 0) {
		c->npcert = 0;
		bh_err_set(err, -EINVAL, 0, 0, "%s: not a PEM certificate chain of at most %d certificates: %s", cert_file,
			   BH_TLS_MAX_CHAIN, rc < 0 ? gnutls_strerror(rc) : "empty");
		goto fail;
	}
	if ((rc = gnutls_privkey_init(&c->key)) < 0 ||
	    (rc = gnutls_privkey_import_x509_raw(c->key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		bh_err_set(err, -EINVAL, 0, 0, "%s: not a PEM private key: %s", key_file, gnutls_strerror(rc));
		goto fail;
	}
	/* a key that does not match the certificate would fail every handshake: refuse it at load time */
	unsigned char a[64], b[64];
	size_t al = sizeof(a), bl = sizeof(b);
	if (gnutls_pubkey_init(&pub) < 0 || gnutls_pubkey_import_privkey(pub, c->key, 0, 0) < 0 ||
	    key_id(pub, a, &al) < 0 || key_id(c->pcert[0].pubkey, b, &bl) < 0 || al != bl || memcmp(a, b, al)) {
		bh_err_set(err, -EINVAL, 0, 0, "%s does not hold the private key of the first certificate in %s", key_file,
			   cert_file);
		goto fail;
	}
	gnutls_x509_crt_t x;
	if (gnutls_x509_crt_init(&x) == 0) {
		if (gnutls_x509_crt_import(x, &c->pcert[0].cert, GNUTLS_X509_FMT_DER) == 0)
			c->not_after = gnutls_x509_crt_get_expiration_time(x);
		gnutls_x509_crt_deinit(x);
	}
	gnutls_pubkey_deinit(pub);
	free(cb);
	/* the key bytes are in GnuTLS now; do not leave a copy in freed heap memory */
	explicit_bzero(kb, kl);
	free(kb);
	return c;
fail:
	if (pub)
		gnutls_pubkey_deinit(pub);
	free(cb);
	if (kb)
		explicit_bzero(kb, kl);
	free(kb);
	bh_certset_free(c);
	return NULL;
}
