/* `bulkhead serve --print-webhook`: the ValidatingWebhookConfiguration that sends bulkhead every kind it
 * can evaluate, from the built-in pod-template table and the config's podTemplatePaths, so that a CRD
 * configured for scanning is also sent at admission. deploy/validatingwebhookconfiguration.yaml is this
 * output for deploy/configmap.yaml's config. */
#ifndef BH_SERVE_WEBHOOK_H
#define BH_SERVE_WEBHOOK_H
#include "config/config.h"
#include "serve/buf.h"

struct bh_webhook_opts {
	const char *url;          /* clientConfig.url; NULL: the in-cluster Service bulkhead/bulkhead:443 */
	const char *ca_bundle;    /* PEM bytes to put in caBundle (base64-encoded here); NULL: "" */
	size_t ca_len;
};

/* Writes the YAML to out. cfg may be NULL (built-in kinds only). Returns 0 or -ENOMEM. */
/* 0; -ENOMEM; -E2BIG when the config names more API groups (64) or more kinds in one group (31) than one
 * configuration holds here — never a configuration that silently leaves a kind out. */
int bh_webhook_render(const struct bh_config *cfg, const struct bh_webhook_opts *o, struct bh_buf *out);
/* The resource name Kubernetes gives a kind by default (lowercase plural: Policy → policies). */
void bh_webhook_plural(const char *kind, char *buf, size_t size);

#endif
