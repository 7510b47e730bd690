/* The AdmissionReview handler of `bulkhead serve` (DESIGN §6): bytes of an admission.k8s.io/v1
 * AdmissionReview in, the HTTP status and the body to answer with out. No sockets and no threads here, so
 * the same function is unit-tested and fuzzed (fuzz/fuzz_admission.c). */
#ifndef BH_SERVE_ADMISSION_H
#define BH_SERVE_ADMISSION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "decode/node.h"
#include "engine/engine.h"
#include "serve/buf.h"

/* The largest AdmissionReview the API server can send: an object is at most etcd's 1.5 MiB request limit
 * (--max-request-bytes), Go's encoding/json writes each of <, > and & as \u003c (6 bytes for 1), and an
 * UPDATE carries object and oldObject: 1.5 MiB x 6 x 2 = 18 MiB, plus 1 MiB for the envelope (userInfo,
 * options, managedFields do not escape further). */
#define BH_ADMIT_MAX_BODY (19u << 20)
/* Time for one review, far below the API server's 5 s default webhook timeout (and its 1 s floor of
 * timeoutSeconds): a review that takes longer is denied rather than allowed unevaluated. */
#define BH_ADMIT_BUDGET_NS (1000u * 1000u * 1000u)
/* Findings kept per rule in a row; the rest are counted on the last one ("and N more like it"). */
#define BH_ADMIT_PER_RULE 16
#define BH_ADMIT_MAX_RULES 32
/* Warnings: the API server keeps each to 120 characters when it can and truncates long lists. */
#define BH_ADMIT_WARN_LEN 120
#define BH_ADMIT_MAX_WARNINGS 16
/* Denial message: the user reads it in kubectl; long enough for several findings with their fix. */
#define BH_ADMIT_MAX_MESSAGE 4096
#define BH_ADMIT_MAX_ANNOTATION 1024
#define BH_ADMIT_MAX_GROUPS 256

enum bh_decision {
	BH_DEC_ALLOW = 0, /* evaluated, nothing at audit or above */
	BH_DEC_AUDIT,     /* allowed, findings written to auditAnnotations */
	BH_DEC_WARN,      /* allowed with warnings */
	BH_DEC_DENY,
	BH_DEC_EXEMPT,    /* the user, a group or the namespace is exempt in the config */
	BH_DEC_SKIP,      /* not evaluated: DELETE, CONNECT, other subresources, metadata-only updates, no pod */
	BH_DEC_INVALID,   /* not an AdmissionReview we accept: HTTP 400 */
	BH_DEC_COUNT
};
const char *bh_decision_name(enum bh_decision d);

/* What a request did, for logs and metrics. Strings are copies (truncated), valid after the call. */
struct bh_admit_result {
	int status;                 /* HTTP status of the answer */
	enum bh_decision decision;
	bool dry_run;
	const char *reason;         /* static text: why skipped/exempt, or NULL */
	char error[256];            /* BH_DEC_INVALID: what was wrong */
	char uid[80], op[16], kind[64], ns[80], name[128], user[128], subresource[32];
	size_t nfindings, nsuppressed;
	/* rules that drove the answer (audit or above, not suppressed): rule id (a static string of the rule
	 * registry) and action */
	const char *rule[BH_ADMIT_MAX_RULES];
	uint8_t action[BH_ADMIT_MAX_RULES];
	size_t nrule;
};

/* Per-thread state, reused from request to request so that a steady stream of reviews stops calling
 * malloc: the tree arena and the engine keep their memory unless a request made them large. */
struct bh_admission {
	struct bh_limits lim;
	struct bh_arena tree;       /* the decoded AdmissionReview */
	struct bh_engine e;
	time_t now;                 /* 0 = time(NULL) per request (tests fix it) */
	uint64_t budget_ns;         /* 0 = BH_ADMIT_BUDGET_NS (tests lower it) */
	/* a per-pod hook run by the engine after the rules (image signatures, set up by src/cmd/serve.c:
	 * serve may not include image); it emits into the engine's findings, which the config's actions decide */
	void (*on_pod)(struct bh_engine *e, const struct bh_pod *p, void *ctx);
	void *on_pod_ctx;
};

void bh_admission_init(struct bh_admission *x);
void bh_admission_release(struct bh_admission *x);

/* Decides one AdmissionReview in four steps: parse the review, pre-checks (operation, subresource, object,
 * exemptions of the config, metadata-only updates), decide (the engine on the object), render. A decision
 * is made on the whole object or it is a denial: unreadable fields, too many findings, memory, or the time
 * budget exceeded deny with the reason; so does a body that cannot be decoded whole but whose uid can be
 * read. cfg may be NULL (built-in defaults). out receives the body to send with Content-Type
 * application/json: the AdmissionReview response, or {"error": "..."} for a 400. Returns the HTTP status
 * (200, 400, 413; 500 when memory ran out). */
int bh_admission_review(struct bh_admission *x, const struct bh_config *cfg, const char *body, size_t len,
			struct bh_buf *out, struct bh_admit_result *res);

/* {"error": msg} with the status code, for the HTTP layer's own errors (413, 404, ...). */
void bh_admission_error_body(struct bh_buf *out, int status, const char *msg);

#endif
