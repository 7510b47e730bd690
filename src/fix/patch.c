/* --patch: the planned values of one pod as a kustomize strategic-merge patch (for rendered input, where a
 * rewrite of the file would be lost at the next render). Containers merge on `name`, volumeMounts on
 * `mountPath`, volumes on `name` (the patchMergeKey tags of k8s.io/api core/v1 types.go). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix.h"
#include "objects/objects.h"

static void put(struct fx_ctx *x, const char *s)
{
	struct bh_fix_result *r = x->r;
	size_t n = strlen(s);
	if (x->oom)
		return;
	if (r->patchlen + n + 1 > r->patchcap) {
		size_t c = r->patchcap ? r->patchcap * 2 : 1024;
		while (c < r->patchlen + n + 1)
			c *= 2;
		char *q = realloc(r->patch, c);
		if (!q) {
			x->oom = -ENOMEM;
			return;
		}
		r->patch = q, r->patchcap = c;
	}
	memcpy(r->patch + r->patchlen, s, n + 1);
	r->patchlen += n;
}

static void ind(struct fx_ctx *x, uint32_t n)
{
	static const char sp[] = "                                        ";
	put(x, sp + (n < sizeof(sp) - 1 ? sizeof(sp) - 1 - n : 0));
}

static void render(struct fx_ctx *x, const struct fx_pend *e, uint32_t in, bool skip_mounts);

static void render_item(struct fx_ctx *x, const struct fx_pend *m, uint32_t in)
{
	ind(x, in);
	put(x, "- ");
	size_t before = x->r->patchlen;
	render(x, m, in + 2, false);
	if (!x->oom && x->r->patchlen >= before + in + 2) /* the first key follows the dash */
		memmove(x->r->patch + before, x->r->patch + before + in + 2, x->r->patchlen - before - in - 1),
			x->r->patchlen -= in + 2;
}

static void render(struct fx_ctx *x, const struct fx_pend *e, uint32_t in, bool skip_mounts)
{
	for (; e; e = e->next) {
		if (skip_mounts && !strcmp(e->key, "volumeMounts"))
			continue;
		ind(x, in);
		put(x, e->key);
		put(x, e->scalar ? ": " : ":\n");
		if (e->scalar) {
			put(x, e->scalar);
			put(x, "\n");
			continue;
		}
		render(x, e->kids, in + 2, false);
		for (uint32_t i = 0; i < e->nitems; i++) {
			ind(x, in + 2);
			put(x, "- ");
			put(x, e->items[i]);
			put(x, "\n");
		}
		for (uint32_t i = 0; i < e->nmitems; i++)
			render_item(x, e->mitems[i], in + 2);
	}
}

static int note_all(struct fx_ctx *x, const struct fx_pend *e)
{
	int rc = 0;
	for (; e && !rc; e = e->next) {
		if (e->rule && (e->scalar || e->nitems || e->nmitems))
			rc = fx_note(x, true, e->rule, e->field, e->scalar ? e->scalar : "appended", NULL, NULL, 0, 0);
		if (!rc)
			rc = note_all(x, e->kids);
	}
	return rc;
}

/* volumeMounts of container ci: the new ones (readOnlyRootFilesystem's emptyDirs) and readOnly on hostPaths */
static void render_mounts(struct fx_ctx *x, const struct fx_target *ct, uint32_t ci, uint32_t in)
{
	const struct fx_pend *vm = NULL;
	for (const struct fx_pend *e = ct ? ct->root : NULL; e; e = e->next)
		if (!strcmp(e->key, "volumeMounts"))
			vm = e;
	bool any = vm != NULL;
	for (const struct fx_target *t = x->targets; t; t = t->next)
		any |= t->kind == FX_MOUNT && t->ci == ci;
	if (!any)
		return;
	ind(x, in);
	put(x, "volumeMounts:\n");
	for (uint32_t i = 0; vm && i < vm->nmitems; i++)
		render_item(x, vm->mitems[i], in);
	for (const struct fx_target *t = x->targets; t; t = t->next) {
		if (t->kind != FX_MOUNT || t->ci != ci)
			continue;
		const struct bh_mount *m = &x->p->c[ci].mounts[t->mi];
		ind(x, in);
		put(x, "- mountPath: ");
		put(x, m->mount_path.r == BH_OK ? m->mount_path.s : "\"\"");
		put(x, "\n");
		render(x, t->root, in + 2, false);
		note_all(x, t->root);
	}
}

static void render_containers(struct fx_ctx *x, enum bh_clist list, uint32_t in)
{
	bool head = false;
	for (uint32_t ci = 0; ci < x->p->nc; ci++) {
		const struct bh_container *c = &x->p->c[ci];
		const struct fx_target *ct = NULL;
		bool any = false;
		for (const struct fx_target *t = x->targets; t; t = t->next)
			if (t->kind != FX_POD && t->ci == ci) {
				any = true;
				if (t->kind == FX_CONTAINER)
					ct = t;
			}
		if (c->list != list || !any)
			continue;
		if (!head) {
			ind(x, in);
			put(x, bh_clist_key[list]);
			put(x, ":\n");
			head = true;
		}
		ind(x, in);
		put(x, "- name: ");
		put(x, c->name.r == BH_OK ? c->name.s : "\"\"");
		put(x, "\n");
		if (ct) {
			render(x, ct->root, in + 2, true);
			note_all(x, ct->root);
		}
		render_mounts(x, ct, ci, in + 2);
	}
}

int fx_patch_targets(struct fx_ctx *x)
{
	if (!x->targets)
		return 0;
	const struct bh_objref *o = &x->p->obj->ref;
	if (x->r->patchlen)
		put(x, "---\n");
	put(x, "apiVersion: "), put(x, o->api_version ? o->api_version : "v1"), put(x, "\n");
	put(x, "kind: "), put(x, o->kind ? o->kind : ""), put(x, "\nmetadata:\n  name: ");
	put(x, o->name ? o->name : ""), put(x, "\n");
	if (o->namespace)
		put(x, "  namespace: "), put(x, o->namespace), put(x, "\n");
	char path[128];
	snprintf(path, sizeof(path), "%s", x->p->spec_path);
	uint32_t in = 0;
	for (char *save = NULL, *k = strtok_r(path, ".", &save); k; k = strtok_r(NULL, ".", &save), in += 2)
		ind(x, in), put(x, k), put(x, ":\n");
	for (const struct fx_target *t = x->targets; t; t = t->next)
		if (t->kind == FX_POD) {
			render(x, t->root, in, false);
			note_all(x, t->root);
		}
	for (int l = BH_CL_INIT; l <= BH_CL_REGULAR; l++)
		render_containers(x, (enum bh_clist)l, in);
	return x->oom;
}
