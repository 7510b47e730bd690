/* Object identity and List expansion. */
#include <string.h>

#include "objects.h"

#define LIST_DEPTH 8

/* Identity fields as the API server reads them: exact key, last of duplicates (a case variant such as
 * `Kind: ConfigMap` beside `kind: Pod` is an unknown field to it). */
static const struct bh_node *exact(const struct bh_node *map, const char *key)
{
	const struct bh_node *v = NULL;
	size_t l = strlen(key);
	for (uint32_t i = 0; map && map->type == BH_MAP && i < map->n; i++) {
		const struct bh_node *k = map->pairs[i].key;
		if (k->type == BH_SCALAR && k->len == l && !memcmp(k->s, key, l))
			v = map->pairs[i].val;
	}
	return v;
}

static const char *str_field(const struct bh_node *map, const char *key)
{
	const struct bh_node *n = exact(map, key);
	const char *s;
	size_t len;
	if (bh_as_str(n, &s, &len) != BH_OK)
		return NULL;
	return s;
}

static bool ends_with_list(const char *kind)
{
	size_t l = kind ? strlen(kind) : 0;
	return l >= 4 && !strcmp(kind + l - 4, "List");
}

void bh_object_init(struct bh_object *o, const struct bh_doc *doc, const struct bh_node *n)
{
	memset(o, 0, sizeof(*o));
	o->root = n;
	o->doc = doc;
	o->metadata = exact(n, "metadata");
	o->ref.api_version = str_field(n, "apiVersion");
	o->ref.kind = str_field(n, "kind");
	o->ref.name = str_field(o->metadata, "name");
	if (!o->ref.name)
		o->ref.name = str_field(o->metadata, "generateName");
	o->ref.namespace = str_field(o->metadata, "namespace");
	o->ref.file = doc->file;
	o->ref.line = n ? n->line : 0;
	o->ref.col = n ? n->col : 0;
}

static int visit(const struct bh_doc *doc, const struct bh_node *n, const char *in_list, int depth,
		 struct bh_arena *a, bh_object_cb cb, void *ctx)
{
	if (!n || n->type != BH_MAP)
		return 0;
	struct bh_object o;
	bh_object_init(&o, doc, n);
	o.in_list = in_list;
	const struct bh_node *items = exact(n, "items");
	/* kind: List, PodList, DeploymentList… (kubectl get -o yaml|json) */
	if (ends_with_list(o.ref.kind) && items && items->type == BH_SEQ && depth < LIST_DEPTH) {
		for (uint32_t i = 0; i < items->n; i++) {
			const char *where = in_list ? bh_arena_printf(a, "%s.items[%u]", in_list, i)
						    : bh_arena_printf(a, "items[%u]", i);
			int rc = visit(doc, items->items[i], where, depth + 1, a, cb, ctx);
			if (rc)
				return rc;
		}
		return 0;
	}
	return cb(&o, ctx);
}

bool bh_doc_is_list(const struct bh_doc *doc)
{
	const struct bh_node *n = doc->root;
	if (!n || n->type != BH_MAP)
		return false;
	struct bh_object o;
	bh_object_init(&o, doc, n);
	const struct bh_node *items = exact(n, "items");
	return ends_with_list(o.ref.kind) && items && items->type == BH_SEQ;
}

int bh_objects_each(const struct bh_doc *doc, struct bh_arena *a, bh_object_cb cb, void *ctx)
{
	return visit(doc, doc->root, NULL, 0, a, cb, ctx);
}

/* What kubectl and the API server would refuse before any admission sees it, so that a document that
 * holds no object is an input problem and not a silent "0 objects" (kubectl: "Object 'Kind' is
 * missing", "no kind \"pod\" is registered"). */
static const char *object_problem(const struct bh_node *n, struct bh_arena *a, int depth)
{
	if (n->type == BH_SEQ)
		return "a list at the top level is no Kubernetes object and kubectl rejects it; wrap it as "
		       "{apiVersion: v1, kind: List, items: [...]} (e.g. jq '{apiVersion: \"v1\", kind: \"List\", items: .}')";
	if (n->type == BH_SCALAR)
		return "a scalar at the top level is no Kubernetes object (kubectl rejects it)";
	const struct bh_node *k = exact(n, "kind");
	const char *kind;
	size_t len;
	if (bh_as_str(k, &kind, &len) != BH_OK || !len)
		return "mapping without kind: kubectl and the API server reject it (Object 'Kind' is missing); "
		       "add apiVersion and kind";
	const char *av;
	if (bh_as_str(exact(n, "apiVersion"), &av, &len) != BH_OK || !len)
		return "mapping without apiVersion: kubectl rejects it (Object 'apiVersion' is missing)";
	len = strlen(kind);
	if (kind[0] >= 'a' && kind[0] <= 'z')
		return bh_arena_printf(a, "kind \"%.*s\" is not a Kubernetes kind (kinds are CamelCase, e.g. Pod, "
				       "Deployment): kubectl rejects it", (int)(len > 60 ? 60 : len), kind);
	const struct bh_node *items = exact(n, "items");
	if (ends_with_list(kind) && items && items->type == BH_SEQ && depth < LIST_DEPTH)
		for (uint32_t i = 0; i < items->n; i++) {
			const char *m = object_problem(items->items[i], a, depth + 1);
			if (m)
				return bh_arena_printf(a, "items[%u]: %s", i, m);
		}
	return NULL;
}

const char *bh_doc_problem(const struct bh_doc *doc, struct bh_arena *a, uint32_t *line, uint32_t *col)
{
	if (!doc->root)
		return NULL;
	*line = doc->root->line;
	*col = doc->root->col;
	return object_problem(doc->root, a, 0);
}
