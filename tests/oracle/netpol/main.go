// The NetworkPolicy oracle: random clusters (namespaces, pods with labels, IPs and named ports,
// NetworkPolicies, AdminNetworkPolicies, BaselineAdminNetworkPolicies) and random packets, decided by SIG
// Network's reference implementation (sigs.k8s.io/kube-network-policies, its Controller.evaluatePacket
// reached through export.go.in) and by `bulkhead netpol --decide`; every disagreement is printed,
// minimized (objects, rules and peers removed while the two still disagree), and fails the run.
//
// bulkhead reads the objects as a user writes them; the reference reads what the API server stores, so
// the oracle's copy gets the API server's defaulting: policyTypes (SetDefaults_NetworkPolicy), protocol
// TCP on NetworkPolicyPort and ContainerPort, the kubernetes.io/metadata.name label on Namespaces.
//
// usage: oracle -bh build/bulkhead [-seed N] [-clusters N] [-tuples N] [-v]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/kube-network-policies/pkg/networkpolicy"
	npav1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
)

type tuple struct {
	Src   string `json:"src"`
	Dst   string `json:"dst"`
	Proto string `json:"proto"`
	Port  int    `json:"port"`
}

type cluster struct {
	NS    []*v1.Namespace
	Pods  []*v1.Pod
	NPs   []*networkingv1.NetworkPolicy
	ANPs  []*npav1alpha1.AdminNetworkPolicy
	BANPs []*npav1alpha1.BaselineAdminNetworkPolicy
}

func main() {
	bh := flag.String("bh", "", "the bulkhead binary")
	seed := flag.Int64("seed", 1, "random seed")
	nclusters := flag.Int("clusters", 200, "random clusters")
	ntuples := flag.Int("tuples", 60, "packets per cluster")
	verbose := flag.Bool("v", false, "print every cluster's counts")
	flag.Parse()
	if *bh == "" {
		fmt.Fprintln(os.Stderr, "oracle: -bh BULKHEAD is required")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "bh-netpol-oracle")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// os.Exit skips deferred calls: every exit below goes through done, which removes dir first
	done := func(code int) {
		os.RemoveAll(dir)
		os.Exit(code)
	}
	r := rand.New(rand.NewSource(*seed))
	total, bad, allowed, reported := 0, 0, 0, 0
	for i := 0; i < *nclusters; i++ {
		c := genCluster(r, i)
		ts := genTuples(r, c, *ntuples)
		want, err := oracle(c, ts)
		if err != nil {
			fmt.Fprintf(os.Stderr, "oracle: cluster %d: reference implementation: %v\n", i, err)
			done(2)
		}
		got, err := bulkhead(*bh, dir, c, ts)
		if err != nil {
			fmt.Fprintf(os.Stderr, "oracle: cluster %d: bulkhead: %v\n", i, err)
			done(2)
		}
		nb := 0
		for j := range ts {
			total++
			if want[j] {
				allowed++
			}
			if want[j] != got[j] {
				nb++
				if nb == 1 && reported < 3 { // the first disagreement of a cluster, minimized (3 at most)
					reported++
					report(*bh, dir, c, ts[j], want[j], i, *seed)
				}
			}
		}
		bad += nb
		if *verbose {
			fmt.Printf("cluster %d: %d pods, %d policies, %d (B)ANPs, %d packets, %d disagreements\n", i,
				len(c.Pods), len(c.NPs), len(c.ANPs)+len(c.BANPs), len(ts), nb)
		}
	}
	fmt.Printf("netpol oracle: seed %d, %d clusters, %d packets compared (%d allowed, %d denied), %d disagreements\n",
		*seed, *nclusters, total, allowed, total-allowed, bad)
	if bad > 0 {
		done(1)
	}
	done(0)
}

// ---- the two deciders ----

func oracle(c *cluster, ts []tuple) ([]bool, error) {
	d := defaulted(c)
	o, err := networkpolicy.NewBulkheadOracle(d.NS, d.Pods, d.NPs, d.ANPs, d.BANPs)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(ts))
	for i, t := range ts {
		out[i] = o.Decide(net.ParseIP(t.Src), net.ParseIP(t.Dst), v1.Protocol(t.Proto), 34567, t.Port)
	}
	return out, nil
}

func bulkhead(bh, dir string, c *cluster, ts []tuple) ([]bool, error) {
	snap, tf := filepath.Join(dir, "snap.json"), filepath.Join(dir, "tuples.jsonl")
	if err := os.WriteFile(snap, snapshot(c), 0o600); err != nil {
		return nil, err
	}
	var sb strings.Builder
	for _, t := range ts {
		b, _ := json.Marshal(t)
		sb.Write(b)
		sb.WriteByte('\n')
	}
	if err := os.WriteFile(tf, []byte(sb.String()), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(bh, "netpol", "--decide", tf, snap)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%v (snapshot %s)", err, snapshot(c))
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != len(ts) {
		return nil, fmt.Errorf("%d answers for %d packets", len(lines), len(ts))
	}
	out := make([]bool, len(ts))
	for i, l := range lines {
		out[i] = l == "allow"
	}
	return out, nil
}

func snapshot(c *cluster) []byte {
	items := []any{}
	for _, o := range c.NS {
		o.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}
		items = append(items, o)
	}
	for _, o := range c.Pods {
		o.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}
		items = append(items, o)
	}
	for _, o := range c.NPs {
		o.TypeMeta = metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"}
		items = append(items, o)
	}
	for _, o := range c.ANPs {
		o.TypeMeta = metav1.TypeMeta{APIVersion: "policy.networking.k8s.io/v1alpha1", Kind: "AdminNetworkPolicy"}
		items = append(items, o)
	}
	for _, o := range c.BANPs {
		o.TypeMeta = metav1.TypeMeta{APIVersion: "policy.networking.k8s.io/v1alpha1", Kind: "BaselineAdminNetworkPolicy"}
		items = append(items, o)
	}
	// one item per line: a minimized case stays readable
	var sb strings.Builder
	sb.WriteString(`{"apiVersion": "v1", "kind": "List", "items": [`)
	for i, it := range items {
		b, _ := json.Marshal(it)
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString("\n ")
		sb.Write(b)
	}
	sb.WriteString("\n]}\n")
	return []byte(sb.String())
}

// defaulted is what the API server stores for c (and what the reference implementation reads).
func defaulted(c *cluster) *cluster {
	d := &cluster{}
	tcp := v1.ProtocolTCP
	for _, o := range c.NS {
		n := o.DeepCopy()
		if n.Labels == nil {
			n.Labels = map[string]string{}
		}
		n.Labels["kubernetes.io/metadata.name"] = n.Name
		d.NS = append(d.NS, n)
	}
	for _, o := range c.Pods {
		p := o.DeepCopy()
		for i := range p.Spec.Containers {
			for j := range p.Spec.Containers[i].Ports {
				if p.Spec.Containers[i].Ports[j].Protocol == "" {
					p.Spec.Containers[i].Ports[j].Protocol = tcp
				}
			}
		}
		d.Pods = append(d.Pods, p)
	}
	for _, o := range c.NPs {
		n := o.DeepCopy()
		if len(n.Spec.PolicyTypes) == 0 {
			n.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
			if len(n.Spec.Egress) > 0 {
				n.Spec.PolicyTypes = append(n.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
			}
		}
		for i := range n.Spec.Ingress {
			defaultPorts(n.Spec.Ingress[i].Ports)
		}
		for i := range n.Spec.Egress {
			defaultPorts(n.Spec.Egress[i].Ports)
		}
		d.NPs = append(d.NPs, n)
	}
	for _, o := range c.ANPs {
		d.ANPs = append(d.ANPs, o.DeepCopy())
	}
	for _, o := range c.BANPs {
		d.BANPs = append(d.BANPs, o.DeepCopy())
	}
	return d
}

func defaultPorts(ps []networkingv1.NetworkPolicyPort) {
	for i := range ps {
		if ps[i].Protocol == nil {
			p := v1.ProtocolTCP
			ps[i].Protocol = &p
		}
	}
}

// ---- minimization and the report ----

func disagrees(bh, dir string, c *cluster, t tuple) bool {
	want, err := oracle(c, []tuple{t})
	if err != nil {
		return false
	}
	got, err := bulkhead(bh, dir, c, []tuple{t})
	return err == nil && want[0] != got[0]
}

// reductions of c, smallest steps last tried first: whole objects, then rules, then peers and ports.
func reductions(c *cluster, t tuple) []func() *cluster {
	var out []func() *cluster
	cp := func() *cluster { return clone(c) }
	for i := range c.NPs {
		i := i
		out = append(out, func() *cluster { d := cp(); d.NPs = append(d.NPs[:i], d.NPs[i+1:]...); return d })
	}
	for i := range c.ANPs {
		i := i
		out = append(out, func() *cluster { d := cp(); d.ANPs = append(d.ANPs[:i], d.ANPs[i+1:]...); return d })
	}
	for i := range c.BANPs {
		i := i
		out = append(out, func() *cluster { d := cp(); d.BANPs = append(d.BANPs[:i], d.BANPs[i+1:]...); return d })
	}
	for i, p := range c.Pods {
		i := i
		if podHas(p, t.Src) || podHas(p, t.Dst) {
			continue
		}
		out = append(out, func() *cluster { d := cp(); d.Pods = append(d.Pods[:i], d.Pods[i+1:]...); return d })
	}
	for i, n := range c.NPs {
		i := i
		for j := range n.Spec.Ingress {
			j := j
			out = append(out, func() *cluster {
				d := cp()
				s := &d.NPs[i].Spec
				s.Ingress = append(s.Ingress[:j], s.Ingress[j+1:]...)
				return d
			})
			for k := range n.Spec.Ingress[j].From {
				k := k
				if len(n.Spec.Ingress[j].From) < 2 { // removing the only peer would widen the rule to every peer
					break
				}
				out = append(out, func() *cluster {
					d := cp()
					r := &d.NPs[i].Spec.Ingress[j]
					r.From = append(r.From[:k], r.From[k+1:]...)
					return d
				})
			}
		}
		for j := range n.Spec.Egress {
			j := j
			out = append(out, func() *cluster {
				d := cp()
				s := &d.NPs[i].Spec
				s.Egress = append(s.Egress[:j], s.Egress[j+1:]...)
				return d
			})
			for k := range n.Spec.Egress[j].To {
				k := k
				if len(n.Spec.Egress[j].To) < 2 { // removing the only peer would widen the rule to every peer
					break
				}
				out = append(out, func() *cluster {
					d := cp()
					r := &d.NPs[i].Spec.Egress[j]
					r.To = append(r.To[:k], r.To[k+1:]...)
					return d
				})
			}
		}
	}
	return out
}

func clone(c *cluster) *cluster {
	d := &cluster{}
	for _, o := range c.NS {
		d.NS = append(d.NS, o.DeepCopy())
	}
	for _, o := range c.Pods {
		d.Pods = append(d.Pods, o.DeepCopy())
	}
	for _, o := range c.NPs {
		d.NPs = append(d.NPs, o.DeepCopy())
	}
	for _, o := range c.ANPs {
		d.ANPs = append(d.ANPs, o.DeepCopy())
	}
	for _, o := range c.BANPs {
		d.BANPs = append(d.BANPs, o.DeepCopy())
	}
	return d
}

func podHas(p *v1.Pod, ip string) bool {
	for _, x := range p.Status.PodIPs {
		if x.IP == ip {
			return true
		}
	}
	return false
}

func report(bh, dir string, c *cluster, t tuple, want bool, idx int, seed int64) {
	// every accepted step removes something, so this ends; the bound only caps a pathological run
	for changed, steps := true, 0; changed && steps < 500; steps++ {
		changed = false
		for _, red := range reductions(c, t) {
			if d := red(); disagrees(bh, dir, d, t) {
				c, changed = d, true
				break
			}
		}
	}
	if w, err := oracle(c, []tuple{t}); err == nil {
		want = w[0]
	}
	verdict := map[bool]string{true: "allow", false: "deny"}
	tb, _ := json.Marshal(t)
	fmt.Printf("DISAGREEMENT (seed %d, cluster %d): packet %s: reference %s, bulkhead %s\nminimized snapshot:\n%s\n",
		seed, idx, tb, verdict[want], verdict[!want], snapshot(c))
}
