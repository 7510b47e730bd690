/* The serving certificate: a PEM chain and its key read from files into GnuTLS objects. A loaded set is
 * immutable; reloading builds a new one and swaps the pointer (server.c), so a handshake never sees a
 * half-loaded certificate. */
#ifndef BH_SERVE_TLS_H
#define BH_SERVE_TLS_H
#include <time.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "util/err.h"

#define BH_TLS_MAX_CHAIN 8

struct bh_certset {
	gnutls_pcert_st pcert[BH_TLS_MAX_CHAIN];
	unsigned npcert;
	gnutls_privkey_t key;
	time_t not_after;          /* of the leaf */
	time_t retired;            /* when it stopped being current (0 = current) */
	struct bh_certset *next;   /* retired list */
};

/* Loads cert_file (leaf first, then intermediates) and key_file; checks that the key belongs to the leaf.
 * NULL on error with err filled. */
struct bh_certset *bh_certset_load(const char *cert_file, const char *key_file, struct bh_err *err);
void bh_certset_free(struct bh_certset *c);

#endif
