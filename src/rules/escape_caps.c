/* One rule per dangerous capability. Names are normalised ("CAP_SYS_ADMIN", "sys_admin" → SYS_ADMIN):
 * container runtimes accept both spellings, so the escape rules must too (PSA's capabilities check keeps
 * exact matching in pss.c). With hostUsers: false the capability only counts inside the pod's user
 * namespace, and the finding is lowered. man 7 capabilities; DESIGN §4. */
#include <stdio.h>
#include <string.h>

#include "escape.h"

static void cap_rule(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out, const char *cap,
		     enum bh_sev userns_sev, const char *what)
{
	if (bh_pod_windows(p))
		return;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		for (uint32_t k = 0; k < c->sc.cap_add.len; k++) {
			const struct bh_fstr *f = &c->sc.cap_add.v[k];
			if (f->r != BH_OK)
				continue;
			char nb[64];
			if (strcmp(bh_cap_norm(f->s, f->len, nb, sizeof(nb)), cap))
				continue;
			char suffix[64];
			snprintf(suffix, sizeof(suffix), "securityContext.capabilities.add[%u]", k);
			enum bh_sev sev = bh_userns_lower(p, r->sev, userns_sev);
			bh_emit_field(out, r, sev, p, c, suffix, f->n, "container \"%s\" adds %s: %s%s", c->name.s,
				      cap, what, sev < r->sev ? BH_USERNS_NOTE : "");
		}
	}
}

#define CAP_RULE(fn, cap, userns_sev, what)                                                          \
	void fn(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)      \
	{                                                                                            \
		cap_rule(r, cx->pod, out, cap, userns_sev, what);                                    \
	}

/* mount(2) of host filesystems and cgroupfs (release_agent), unshare, bpf, keyctl… — the capability
 * behind most public escapes (CVE-2022-0492; Felix Wilhelm's release_agent PoC). */
CAP_RULE(bh_rule_cap_sys_admin, "SYS_ADMIN", BH_SEV_MEDIUM,
	 "mount, cgroup release_agent, namespace and BPF administration — the usual route out of a container")
/* init_module/finit_module: code in the host kernel. */
CAP_RULE(bh_rule_cap_sys_module, "SYS_MODULE", BH_SEV_MEDIUM, "it may load kernel modules: code runs in the node's kernel")
/* ALL: every capability, SYS_ADMIN and SYS_MODULE included (privileged without the devices). */
CAP_RULE(bh_rule_cap_all, "ALL", BH_SEV_MEDIUM,
	 "every capability, SYS_ADMIN and SYS_MODULE included: privileged in all but the device list")
/* ptrace/process_vm_writev across UIDs; with hostPID, injection into host processes (combo.c). */
CAP_RULE(bh_rule_cap_sys_ptrace, "SYS_PTRACE", BH_SEV_MEDIUM,
	 "it may trace and inject code into any process it can see (host processes too with hostPID)")
/* open_by_handle_at: "shocker" (2014) reads any file of the host filesystem a bind mount lives on. */
CAP_RULE(bh_rule_cap_dac_read_search, "DAC_READ_SEARCH", BH_SEV_MEDIUM,
	 "open_by_handle_at lets it open any file of the host filesystem behind a mount (the \"shocker\" escape)")
/* bypasses every file permission check (within the default set, but worth naming when granted). */
CAP_RULE(bh_rule_cap_dac_override, "DAC_OVERRIDE", BH_SEV_LOW,
	 "it bypasses file permission checks on every file it can reach, host mounts included")
/* iptables/nftables, routes, interfaces; netfilter bugs reachable (CVE-2022-1015, CVE-2023-32233). */
CAP_RULE(bh_rule_cap_net_admin, "NET_ADMIN", BH_SEV_MEDIUM,
	 "it controls the network stack (firewall, routes, interfaces) and reaches netfilter's kernel bugs")
/* raw and packet sockets: ARP/DNS spoofing of neighbours, CVE-2020-14386 (AF_PACKET). */
CAP_RULE(bh_rule_cap_net_raw, "NET_RAW", BH_SEV_LOW,
	 "raw and packet sockets allow spoofing (ARP, DNS) of other pods and AF_PACKET kernel bugs")
/* bpf(2): programs that read kernel and other processes' memory; verifier bugs → root. */
CAP_RULE(bh_rule_cap_bpf, "BPF", BH_SEV_MEDIUM,
	 "it may load BPF programs and maps: verifier bugs and tracing read the node's kernel memory")
/* perf_event_open on the whole system: kernel addresses, other processes, perf bugs. */
CAP_RULE(bh_rule_cap_perfmon, "PERFMON", BH_SEV_MEDIUM,
	 "system-wide perf events and BPF tracing expose the node's kernel and other processes")
/* iopl/ioperm, /dev/mem and raw block I/O. */
CAP_RULE(bh_rule_cap_sys_rawio, "SYS_RAWIO", BH_SEV_MEDIUM,
	 "raw I/O ports, /dev/mem and raw block devices, below every file permission")
/* reboot(2) and kexec_load: replace the node's kernel. */
CAP_RULE(bh_rule_cap_sys_boot, "SYS_BOOT", BH_SEV_MEDIUM, "kexec_load can boot a kernel of its choosing on the node")
/* loads or replaces LSM policy (AppArmor/SELinux/Smack): switches the node's confinement off. */
CAP_RULE(bh_rule_cap_mac_admin, "MAC_ADMIN", BH_SEV_LOW,
	 "it may change the node's mandatory access control policy (AppArmor, SELinux, Smack)")
/* overrides MAC decisions (Smack). */
CAP_RULE(bh_rule_cap_mac_override, "MAC_OVERRIDE", BH_SEV_LOW, "it may override mandatory access control decisions")
