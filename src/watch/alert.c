/* Alert writers: one JSON object per line (documented in docs/watch.md), or one text line per alert.
 * Strings go through util/json.c, the escaper of every other JSON writer. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rules/finding.h"
#include "util/json.h" /* the one JSON string writer, as every report uses */
#include "detect.h"
#include "engine.h"
#include "identity.h"

static void fmt_time(int64_t ns, char *buf, size_t len)
{
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;
	gmtime_r(&s, &tm);
	size_t o = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + o, len - o, ".%06ldZ", (long)((ns % 1000000000) / 1000));
}

static void kv(FILE *out, const char *k, const char *v)
{
	fprintf(out, "\"%s\":", k);
	bh_json_str(out, v);
}

/* The events of the object hooks (mount parameters, superblocks, process access, executable mappings). */
static void object_event_json(FILE *out, const struct bhw_event *ev)
{
	switch (ev->type) {
	case BHW_EV_MOUNT_PARAM: /* mount option / fsconfig parameter */
		fputs(",", out);
		kv(out, "key", ev->s[0]);
		fputs(",", out);
		kv(out, "value", ev->s[1]);
		fputs(",", out);
		kv(out, "fstype", ev->s[2]);
		break;
	case BHW_EV_SB_MOUNT:
		fputs(",", out);
		kv(out, "fstype", ev->s[2]);
		fputs(",", out);
		kv(out, "source", ev->s[0]);
		fprintf(out, ",\"block_device\":\"%u:%u\",\"fs_magic\":\"0x%" PRIx64 "\"", (unsigned)(ev->a[0] >> 20),
			(unsigned)(ev->a[0] & 0xfffff), (uint64_t)ev->a[1]);
		break;
	case BHW_EV_PROC_ACCESS:
		fprintf(out, ",\"mode\":%" PRIu64 ",\"target_pid\":%" PRIu64 ",\"syscall\":%" PRId64, (uint64_t)ev->a[0],
			(uint64_t)ev->a[1], (int64_t)ev->a[3]);
		break;
	case BHW_EV_MMAP_EXEC:
		fputs(",", out);
		kv(out, "file", ev->s[0]);
		break;
	default:
		break;
	}
}

static void event_json(FILE *out, const struct bhw_event *ev)
{
	fputs("\"event\":{", out);
	kv(out, "type", bhw_type_name(ev->type));
	switch (ev->type) {
	case BHW_EV_EXEC:
		fputs(",", out);
		kv(out, "filename", ev->s[0]);
		if (ev->s[2][0]) {
			fputs(",", out);
			kv(out, "memfd", ev->s[2]);
		}
		break;
	case BHW_EV_MOUNT:
		fputs(",", out);
		kv(out, "source", ev->s[0]);
		fputs(",", out);
		kv(out, "target", ev->s[1]);
		fputs(",", out);
		kv(out, "fstype", ev->s[2]);
		fprintf(out, ",\"flags\":%" PRIu64, (uint64_t)ev->a[0]);
		break;
	case BHW_EV_UMOUNT:
	case BHW_EV_MOVE_MOUNT:
		fputs(",", out);
		kv(out, "target", ev->s[1]);
		break;
	case BHW_EV_FSOPEN:
		fputs(",", out);
		kv(out, "fstype", ev->s[2]);
		break;
	case BHW_EV_OPEN_WRITE: {
		char path[BHW_PATH_COMPS * (BHW_COMP_LEN + 1) + 2];
		bhw_open_path(ev, path, sizeof(path));
		fputs(",", out);
		kv(out, "path_in_fs", path);
		fprintf(out, ",\"fs_magic\":\"0x%" PRIx64 "\",\"mode\":\"0%" PRIo64 "\",\"dev\":\"%u:%u\",\"flags\":\"0x%"
			PRIx64 "\"", (uint64_t)ev->a[0], (uint64_t)(ev->a[1] & 0xffffffffu), (unsigned)(ev->a[2] >> 20),
			(unsigned)(ev->a[2] & 0xfffff), (uint64_t)(ev->a[3] & 0xffffffffu));
		fprintf(out, ",\"foreign_mount_ns\":%s,\"host_mount_ns\":%s",
			(ev->flags & BHW_F_FOREIGN_MNT) ? "true" : "false",
			(ev->flags & BHW_F_HOST_MNT) ? "true" : "false");
		break;
	}
	case BHW_EV_CONNECT:
		if (ev->flags & BHW_F_OBJECT || ev->a[1]) /* judged on the listening socket */
			fprintf(out, ",\"peer_inode\":%" PRIu64 ",\"peer_host_netns\":%s", (uint64_t)ev->a[1],
				(ev->a[3] & BHW_PEER_HOST_NET) ? "true" : "false");
		/* fall through */
	case BHW_EV_CHROOT:
		fputs(",", out);
		kv(out, "path", ev->s[0]);
		break;
	case BHW_EV_PIVOT_ROOT:
		fputs(",", out);
		kv(out, "new_root", ev->s[0]);
		fputs(",", out);
		kv(out, "put_old", ev->s[1]);
		break;
	case BHW_EV_SETNS:
		fprintf(out, ",\"fd\":%" PRId64 ",\"nstype\":\"0x%" PRIx64 "\",\"ret\":%" PRId64, (int64_t)ev->a[0],
			(uint64_t)ev->a[1], (int64_t)ev->ret);
		break;
	case BHW_EV_UNSHARE:
		fprintf(out, ",\"flags\":\"0x%" PRIx64 "\"", (uint64_t)ev->a[0]);
		break;
	case BHW_EV_PTRACE:
		fprintf(out, ",\"request\":%" PRIu64 ",\"target_pid\":%" PRId64, (uint64_t)ev->a[0], (int64_t)ev->a[1]);
		break;
	case BHW_EV_BPF:
		fprintf(out, ",\"prog_type\":%" PRIu64, (uint64_t)ev->a[1]);
		break;
	default:
		object_event_json(out, ev);
		break;
	}
	fputs("}", out);
}

static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

/* "container" (the runtime's view, from the cgroup), then "pod" and "node" (the Kubernetes identity from
 * watch/identity.c: null where the node did not tell). The resolver's values (full cgroup path, log
 * directories under --root) win over the detector's parse of the two cgroup names, which fills the rest. */
static void container_json(FILE *out, const struct bhw_alert *a)
{
	const struct bhw_event *ev = a->ev;
	const struct bhw_identity *id = a->identity;
	const char *cid = nz(a->container_id), *rt = a->runtime, *uid = nz(a->pod_uid);
	if (id && id->container_id[0]) /* the resolver's: from the full path, where the kubelet's part comes first */
		cid = id->container_id, rt = id->runtime;
	if (id && id->pod_uid[0])
		uid = id->pod_uid;
	fputs(",\"container\":{", out);
	kv(out, "id", cid);
	fputs(",", out);
	kv(out, "runtime", rt);
	fputs(",", out);
	kv(out, "pod_uid", uid);
	fputs(",", out);
	char cg[2 * BHW_CGNAME + 2];
	snprintf(cg, sizeof(cg), "%s%s%s", ev->cgroup[1], ev->cgroup[1][0] ? "/" : "", ev->cgroup[0]);
	kv(out, "cgroup", cg);
	fprintf(out, ",\"cgroup_id\":%" PRIu64 ",", (uint64_t)ev->cgroup_id);
	kv(out, "cgroup_path", id ? nz(id->cgroup_path) : NULL);
	fputs(",", out);
	kv(out, "name", id ? nz(id->container) : NULL);
	fputs(",", out);
	kv(out, "qos_class", id ? id->qos : NULL);
	fputs("},\"pod\":{", out);
	kv(out, "uid", uid);
	fputs(",", out);
	kv(out, "namespace", id ? nz(id->ns) : NULL);
	fputs(",", out);
	kv(out, "name", id ? nz(id->pod) : NULL);
	fputs("},", out);
	kv(out, "node", id ? id->node : NULL);
}

void bhw_alert_json(FILE *out, const struct bhw_alert *a)
{
	const struct bhw_event *ev = a->ev;
	char t[48];
	fmt_time(a->time_ns, t, sizeof(t));
	fputs("{", out);
	kv(out, "time", t);
	fputs(",", out);
	kv(out, "rule", a->rule->id);
	fputs(",", out);
	kv(out, "name", a->rule->name);
	fputs(",", out);
	kv(out, "severity", bh_sev_name(a->sev));
	fputs(",", out);
	kv(out, "technique", a->rule->technique);
	fputs(",", out);
	kv(out, "title", a->rule->title);
	fputs(",", out);
	kv(out, "message", a->message);
	fprintf(out, ",\"process\":{\"pid\":%u,\"tid\":%u,\"ppid\":%u,", ev->pid, ev->tid, ev->ppid);
	kv(out, "comm", ev->comm);
	fputs(",", out);
	kv(out, "exe", a->exe);
	fputs(",", out);
	kv(out, "args", a->args);
	fprintf(out, ",\"uid\":%u,\"euid\":%u,\"gid\":%u,\"cap_effective\":\"0x%016" PRIx64 "\"}", ev->uid, ev->euid,
		ev->gid, (uint64_t)ev->cap_eff);
	fputs(",\"parents\":[", out);
	for (int i = 0; i < BHW_CHAIN && ev->chain[i].pid; i++) {
		fprintf(out, "%s{\"pid\":%u,", i ? "," : "", ev->chain[i].pid);
		kv(out, "comm", ev->chain[i].comm);
		fputs("}", out);
	}
	fputs("]", out);
	container_json(out, a);
	fputs(",\"namespaces\":{", out);
	for (unsigned i = 0; i < BHW_NS_MAX; i++)
		fprintf(out, "%s\"%s\":%u", i ? "," : "", bhw_ns_name(i), ev->ns[i]);
	fputs(",\"shared_with_host\":[", out);
	for (unsigned i = 0, k = 0; i < BHW_NS_MAX; i++)
		if (ev->host_mask & (1u << i))
			fprintf(out, "%s\"%s\"", k++ ? "," : "", bhw_ns_name(i));
	fputs("]},", out);
	event_json(out, ev);
	fprintf(out, ",\"suppressed\":%s", a->suppressed ? "true" : "false");
	if (a->suppressed) {
		fputs(",", out);
		kv(out, "suppress_reason", a->suppress_reason);
	}
	fputs("}\n", out);
}

void bhw_alert_text(FILE *out, const struct bhw_alert *a)
{
	const struct bhw_event *ev = a->ev;
	char t[48];
	fmt_time(a->time_ns, t, sizeof(t));
	const struct bhw_identity *id = a->identity;
	char pod[400] = "";
	if (id && id->ns[0])
		snprintf(pod, sizeof(pod), ", pod %s/%s%s%s", id->ns, id->pod, id->container[0] ? " container " : "",
			 id->container);
	else if ((id && id->pod_uid[0]) || a->pod_uid[0])
		snprintf(pod, sizeof(pod), ", pod uid %s", id && id->pod_uid[0] ? id->pod_uid : a->pod_uid);
	if (id && id->node)
		snprintf(pod + strlen(pod), sizeof(pod) - strlen(pod), ", node %s", id->node);
	fprintf(out, "%s %-8s %s %s: %s [pid %u %s%s%s, container %s%s]%s\n", t, bh_sev_name(a->sev), a->rule->id,
		a->rule->name, a->message, ev->pid, ev->comm, a->exe[0] ? " " : "", a->exe,
		a->container_id[0] ? a->container_id : "-", pod, a->suppressed ? " (suppressed)" : "");
}
