#include "map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t fnv(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h ? h : 1;
}

uint32_t bh_cl_map_get(const struct bh_cl_map *m, const char *key)
{
	if (!m->cap)
		return UINT32_MAX;
	uint32_t h = fnv(key);
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->s[i].key)
			return UINT32_MAX;
		if (m->s[i].hash == h && !strcmp(m->s[i].key, key))
			return m->s[i].val;
	}
}

static void insert(struct bh_cl_slot *s, size_t cap, const char *key, uint32_t h, uint32_t val)
{
	size_t i = h & (cap - 1);
	while (s[i].key && !(s[i].hash == h && !strcmp(s[i].key, key)))
		i = (i + 1) & (cap - 1);
	s[i] = (struct bh_cl_slot){key, val, h};
}

int bh_cl_map_put(struct bh_cl_map *m, const char *key, uint32_t val)
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 64;
		struct bh_cl_slot *ns = calloc(nc, sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		for (size_t i = 0; i < m->cap; i++)
			if (m->s[i].key)
				insert(ns, nc, m->s[i].key, m->s[i].hash, m->s[i].val);
		free(m->s);
		m->s = ns;
		m->cap = nc;
	}
	uint32_t h = fnv(key);
	if (bh_cl_map_get(m, key) == UINT32_MAX)
		m->n++;
	insert(m->s, m->cap, key, h, val);
	return 0;
}

void bh_cl_map_free(struct bh_cl_map *m)
{
	free(m->s);
	*m = (struct bh_cl_map){0};
}

const char *bh_cl_key(char *buf, size_t size, const char *a, const char *b, const char *c)
{
	snprintf(buf, size, "%s\x1f%s\x1f%s", a ? a : "", b ? b : "", c ? c : "");
	return buf;
}
