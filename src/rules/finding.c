#include "finding.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sev_names[] = {"info", "low", "medium", "high", "critical", "none"};

const char *bh_sev_name(enum bh_sev s)
{
	return (unsigned)s <= BH_SEV_NONE ? sev_names[s] : "?";
}

int bh_sev_parse(const char *s)
{
	for (int i = 0; i <= BH_SEV_NONE; i++)
		if (!strcmp(s, sev_names[i]))
			return i;
	return -1;
}

void bh_findings_init(struct bh_findings *f, struct bh_arena *a)
{
	memset(f, 0, sizeof(*f));
	f->a = a;
}

void bh_findings_release(struct bh_findings *f)
{
	if (!f)
		return;
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

static const char *dup(struct bh_arena *a, const char *s)
{
	return s ? bh_arena_strndup(a, s, strlen(s)) : NULL;
}

struct bh_finding *bh_emit(struct bh_findings *f, const struct bh_rule *rule, enum bh_sev sev,
			   const char *container, const char *field, uint32_t line, uint32_t col,
			   const char *fmt, ...)
{
	/* a run of one rule's findings: past per_rule, count them on the run's last finding */
	if (f->n && rule && rule == f->run_rule && f->v[f->n - 1].rule == rule)
		f->run_n++;
	else {
		f->run_rule = rule;
		f->run_n = 1;
	}
	if (f->per_rule && f->run_n > f->per_rule && f->n) {
		f->v[f->n - 1].more++;
		f->folded++;
		return NULL;
	}
	if (f->max && f->n >= f->max) {
		f->dropped++;
		return NULL;
	}
	if (f->n == f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 32;
		struct bh_finding *nv = realloc(f->v, nc * sizeof(*nv));
		if (!nv) {
			f->oom = 1;
			return NULL;
		}
		f->v = nv;
		f->cap = nc;
	}
	char buf[BH_FINDING_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	struct bh_finding *x = &f->v[f->n];
	memset(x, 0, sizeof(*x));
	x->rule = rule;
	x->sev = sev;
	x->message = dup(f->a, buf);
	x->container = dup(f->a, container);
	x->field = dup(f->a, field);
	x->line = line;
	x->col = col;
	x->obj = f->cur; /* the current object's strings are interned once per object by the caller */
	x->pss_level = rule ? rule->pss_level : NULL;
	x->pss_check = rule ? rule->pss_check : NULL;
	if (!x->message) {
		f->oom = 1;
		return NULL;
	}
	f->n++;
	return x;
}
