package main

// The generator: small clusters whose labels, selectors, ports and CIDRs are drawn from small pools, so
// that selectors match often, named ports collide across pods and ranges meet their edges. Only objects
// the API server accepts are generated (validation: a peer has a selector or an ipBlock, endPort only
// with a numeric port, matchExpressions values only with In/NotIn). Left out because the reference
// implementation reads them differently from the API documentation (docs/netpol.md): AdminNetworkPolicy
// namedPort (the reference matches any port of a pod that has the name, and for ingress looks on the
// source pod), nodes peers (it compares the destination pod's node) and domainNames (DNS answers).

import (
	"fmt"
	"math/rand"

	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	npav1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
)

var (
	nsKeys    = []string{"team", "env"}
	podKeys   = []string{"app", "role", "tier"}
	vals      = []string{"a", "b", "c"}
	portPool  = []int32{53, 80, 443, 8080, 9000, 9090, 10250}
	namePool  = []string{"http", "https", "dns", "metrics", "sctp", "nope"}
	cidrPool  = []string{"10.1.0.0/24", "10.1.0.0/16", "0.0.0.0/0", "192.168.0.0/24", "169.254.0.0/16", "10.1.0.4/30", "10.1.0.3/32", "8.8.8.0/24"}
	exceptFor = map[string][]string{"10.1.0.0/24": {"10.1.0.0/29", "10.1.0.5/32"}, "10.1.0.0/16": {"10.1.0.0/28"},
		"0.0.0.0/0": {"10.0.0.0/8", "169.254.169.254/32"}, "192.168.0.0/24": {"192.168.0.2/32"}, "169.254.0.0/16": {"169.254.169.254/32"}}
	extIPs = []string{"8.8.8.8", "169.254.169.254", "192.168.0.200", "10.1.0.250", "10.2.3.4"}
	tPorts = []int{53, 80, 81, 443, 8080, 8081, 9000, 9050, 9090, 9100, 10250, 12345}
)

type cport struct {
	name  string
	port  int32
	proto v1.Protocol
}

var cportPool = []cport{{"http", 80, ""}, {"https", 443, "TCP"}, {"dns", 53, "UDP"}, {"dns", 53, "TCP"},
	{"metrics", 9090, ""}, {"sctp", 9000, "SCTP"}, {"http", 8080, "TCP"}, {"", 8081, ""}}

func pick[T any](r *rand.Rand, v []T) T { return v[r.Intn(len(v))] }

func labels(r *rand.Rand, keys []string, max int) map[string]string {
	n := r.Intn(max + 1)
	if n == 0 {
		return nil
	}
	m := map[string]string{}
	for i := 0; i < n; i++ {
		m[pick(r, keys)] = pick(r, vals)
	}
	return m
}

func selector(r *rand.Rand, keys []string, nsNames []string) *metav1.LabelSelector {
	s := &metav1.LabelSelector{}
	if r.Intn(3) == 0 {
		return s // {}: everything
	}
	s.MatchLabels = labels(r, keys, 2)
	if nsNames != nil && r.Intn(4) == 0 {
		if s.MatchLabels == nil {
			s.MatchLabels = map[string]string{}
		}
		s.MatchLabels["kubernetes.io/metadata.name"] = pick(r, nsNames)
	}
	for i := r.Intn(3); i > 0; i-- {
		e := metav1.LabelSelectorRequirement{Key: pick(r, keys)}
		switch r.Intn(4) {
		case 0:
			e.Operator, e.Values = metav1.LabelSelectorOpIn, []string{pick(r, vals), pick(r, vals)}[:1+r.Intn(2)]
		case 1:
			e.Operator, e.Values = metav1.LabelSelectorOpNotIn, []string{pick(r, vals), pick(r, vals)}[:1+r.Intn(2)]
		case 2:
			e.Operator = metav1.LabelSelectorOpExists
		default:
			e.Operator = metav1.LabelSelectorOpDoesNotExist
		}
		s.MatchExpressions = append(s.MatchExpressions, e)
	}
	return s
}

func genCluster(r *rand.Rand, idx int) *cluster {
	c := &cluster{}
	var nsNames []string
	for i := 0; i < 2+r.Intn(3); i++ {
		n := fmt.Sprintf("ns%d", i)
		nsNames = append(nsNames, n)
		c.NS = append(c.NS, &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: n, Labels: labels(r, nsKeys, 2)}})
	}
	for i := 0; i < 4+r.Intn(8); i++ {
		p := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p%d", i), Namespace: pick(r, nsNames),
			Labels: labels(r, podKeys, 3)}}
		p.Status.Phase = v1.PodRunning
		ip := fmt.Sprintf("10.1.0.%d", i+1)
		if r.Intn(8) == 0 { // a hostNetwork pod has its node's IP
			p.Spec.HostNetwork = true
			ip = fmt.Sprintf("192.168.0.%d", i+1)
		}
		p.Status.PodIP = ip
		p.Status.PodIPs = []v1.PodIP{{IP: ip}}
		ct := v1.Container{Name: "c", Image: "img"}
		for j := r.Intn(4); j > 0; j-- {
			cp := pick(r, cportPool)
			ct.Ports = append(ct.Ports, v1.ContainerPort{Name: cp.name, ContainerPort: cp.port, Protocol: cp.proto})
		}
		p.Spec.Containers = []v1.Container{ct}
		c.Pods = append(c.Pods, p)
	}
	for i := r.Intn(6); i > 0; i-- {
		c.NPs = append(c.NPs, genNP(r, len(c.NPs), nsNames))
	}
	if r.Intn(3) == 0 {
		for i := 1 + r.Intn(2); i > 0; i-- {
			c.ANPs = append(c.ANPs, genANP(r, len(c.ANPs), nsNames))
		}
	}
	if r.Intn(4) == 0 {
		c.BANPs = append(c.BANPs, genBANP(r, nsNames))
	}
	return c
}

func genNPPort(r *rand.Rand) networkingv1.NetworkPolicyPort {
	p := networkingv1.NetworkPolicyPort{}
	switch r.Intn(5) {
	case 0: // protocol left to the default (TCP)
	case 1:
		pr := v1.ProtocolUDP
		p.Protocol = &pr
	case 2:
		pr := v1.ProtocolSCTP
		p.Protocol = &pr
	default:
		pr := v1.ProtocolTCP
		p.Protocol = &pr
	}
	switch r.Intn(5) {
	case 0: // every port of the protocol
	case 1, 2:
		v := intstr.FromString(pick(r, namePool))
		p.Port = &v
	default:
		n := pick(r, portPool)
		v := intstr.FromInt32(n)
		p.Port = &v
		if r.Intn(3) == 0 {
			e := n + int32(r.Intn(3)*60)
			p.EndPort = &e
		}
	}
	return p
}

func genPeer(r *rand.Rand, nsNames []string) networkingv1.NetworkPolicyPeer {
	if r.Intn(4) == 0 {
		cidr := pick(r, cidrPool)
		b := &networkingv1.IPBlock{CIDR: cidr}
		if ex, ok := exceptFor[cidr]; ok && r.Intn(2) == 0 {
			b.Except = ex[:1+r.Intn(len(ex))]
		}
		return networkingv1.NetworkPolicyPeer{IPBlock: b}
	}
	switch r.Intn(3) {
	case 0:
		return networkingv1.NetworkPolicyPeer{PodSelector: selector(r, podKeys, nil)}
	case 1:
		return networkingv1.NetworkPolicyPeer{NamespaceSelector: selector(r, nsKeys, nsNames)}
	default:
		return networkingv1.NetworkPolicyPeer{PodSelector: selector(r, podKeys, nil), NamespaceSelector: selector(r, nsKeys, nsNames)}
	}
}

func genNP(r *rand.Rand, i int, nsNames []string) *networkingv1.NetworkPolicy {
	n := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("np%d", i), Namespace: pick(r, nsNames)}}
	n.Spec.PodSelector = *selector(r, podKeys, nil)
	switch r.Intn(4) {
	case 0:
		n.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	case 1:
		n.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
	case 2:
		n.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}
	} // else defaulted
	for j := r.Intn(3); j > 0; j-- {
		rule := networkingv1.NetworkPolicyIngressRule{}
		for k := r.Intn(3); k > 0; k-- {
			rule.Ports = append(rule.Ports, genNPPort(r))
		}
		for k := r.Intn(3); k > 0; k-- {
			rule.From = append(rule.From, genPeer(r, nsNames))
		}
		n.Spec.Ingress = append(n.Spec.Ingress, rule)
	}
	for j := r.Intn(3); j > 0; j-- {
		rule := networkingv1.NetworkPolicyEgressRule{}
		for k := r.Intn(3); k > 0; k-- {
			rule.Ports = append(rule.Ports, genNPPort(r))
		}
		for k := r.Intn(3); k > 0; k-- {
			rule.To = append(rule.To, genPeer(r, nsNames))
		}
		n.Spec.Egress = append(n.Spec.Egress, rule)
	}
	return n
}

func genSubject(r *rand.Rand, nsNames []string) npav1alpha1.AdminNetworkPolicySubject {
	if r.Intn(2) == 0 {
		return npav1alpha1.AdminNetworkPolicySubject{Namespaces: selector(r, nsKeys, nsNames)}
	}
	return npav1alpha1.AdminNetworkPolicySubject{Pods: &npav1alpha1.NamespacedPod{
		NamespaceSelector: *selector(r, nsKeys, nsNames), PodSelector: *selector(r, podKeys, nil)}}
}

func genAPorts(r *rand.Rand) *[]npav1alpha1.AdminNetworkPolicyPort {
	if r.Intn(2) == 0 {
		return nil
	}
	var ps []npav1alpha1.AdminNetworkPolicyPort
	for k := 1 + r.Intn(2); k > 0; k-- {
		proto := pick(r, []v1.Protocol{v1.ProtocolTCP, v1.ProtocolTCP, v1.ProtocolUDP, v1.ProtocolSCTP})
		n := pick(r, portPool)
		if r.Intn(3) == 0 {
			ps = append(ps, npav1alpha1.AdminNetworkPolicyPort{PortRange: &npav1alpha1.PortRange{Protocol: proto, Start: n, End: n + int32(r.Intn(3)*60)}})
		} else {
			ps = append(ps, npav1alpha1.AdminNetworkPolicyPort{PortNumber: &npav1alpha1.Port{Protocol: proto, Port: n}})
		}
	}
	return &ps
}

func genIngressPeer(r *rand.Rand, nsNames []string) npav1alpha1.AdminNetworkPolicyIngressPeer {
	if r.Intn(2) == 0 {
		return npav1alpha1.AdminNetworkPolicyIngressPeer{Namespaces: selector(r, nsKeys, nsNames)}
	}
	return npav1alpha1.AdminNetworkPolicyIngressPeer{Pods: &npav1alpha1.NamespacedPod{
		NamespaceSelector: *selector(r, nsKeys, nsNames), PodSelector: *selector(r, podKeys, nil)}}
}

func genEgressPeer(r *rand.Rand, nsNames []string) npav1alpha1.AdminNetworkPolicyEgressPeer {
	switch r.Intn(3) {
	case 0:
		return npav1alpha1.AdminNetworkPolicyEgressPeer{Namespaces: selector(r, nsKeys, nsNames)}
	case 1:
		return npav1alpha1.AdminNetworkPolicyEgressPeer{Pods: &npav1alpha1.NamespacedPod{
			NamespaceSelector: *selector(r, nsKeys, nsNames), PodSelector: *selector(r, podKeys, nil)}}
	default:
		return npav1alpha1.AdminNetworkPolicyEgressPeer{Networks: []npav1alpha1.CIDR{npav1alpha1.CIDR(pick(r, cidrPool))}}
	}
}

func genANP(r *rand.Rand, i int, nsNames []string) *npav1alpha1.AdminNetworkPolicy {
	a := &npav1alpha1.AdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("anp%d", i)}}
	a.Spec.Priority = int32(r.Intn(3))
	a.Spec.Subject = genSubject(r, nsNames)
	acts := []npav1alpha1.AdminNetworkPolicyRuleAction{"Allow", "Deny", "Pass"}
	for j := r.Intn(3); j > 0; j-- {
		rule := npav1alpha1.AdminNetworkPolicyIngressRule{Action: pick(r, acts), Ports: genAPorts(r)}
		for k := 1 + r.Intn(2); k > 0; k-- {
			rule.From = append(rule.From, genIngressPeer(r, nsNames))
		}
		a.Spec.Ingress = append(a.Spec.Ingress, rule)
	}
	for j := r.Intn(3); j > 0; j-- {
		rule := npav1alpha1.AdminNetworkPolicyEgressRule{Action: pick(r, acts), Ports: genAPorts(r)}
		for k := 1 + r.Intn(2); k > 0; k-- {
			rule.To = append(rule.To, genEgressPeer(r, nsNames))
		}
		a.Spec.Egress = append(a.Spec.Egress, rule)
	}
	return a
}

func genBANP(r *rand.Rand, nsNames []string) *npav1alpha1.BaselineAdminNetworkPolicy {
	a := &npav1alpha1.BaselineAdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default"}}
	a.Spec.Subject = genSubject(r, nsNames)
	acts := []npav1alpha1.BaselineAdminNetworkPolicyRuleAction{"Allow", "Deny"}
	for j := r.Intn(3); j > 0; j-- {
		rule := npav1alpha1.BaselineAdminNetworkPolicyIngressRule{Action: pick(r, acts), Ports: genAPorts(r)}
		for k := 1 + r.Intn(2); k > 0; k-- {
			rule.From = append(rule.From, genIngressPeer(r, nsNames))
		}
		a.Spec.Ingress = append(a.Spec.Ingress, rule)
	}
	for j := r.Intn(3); j > 0; j-- {
		rule := npav1alpha1.BaselineAdminNetworkPolicyEgressRule{Action: pick(r, acts), Ports: genAPorts(r)}
		for k := 1 + r.Intn(2); k > 0; k-- {
			p := genEgressPeer(r, nsNames)
			rule.To = append(rule.To, npav1alpha1.BaselineAdminNetworkPolicyEgressPeer{Namespaces: p.Namespaces, Pods: p.Pods, Networks: p.Networks})
		}
		a.Spec.Egress = append(a.Spec.Egress, rule)
	}
	return a
}

func genTuples(r *rand.Rand, c *cluster, n int) []tuple {
	var ips []string
	for _, p := range c.Pods {
		ips = append(ips, p.Status.PodIP)
	}
	end := func() string {
		if r.Intn(6) == 0 {
			return pick(r, extIPs)
		}
		return pick(r, ips)
	}
	ts := make([]tuple, n)
	for i := range ts {
		proto := "TCP"
		switch r.Intn(10) {
		case 0, 1:
			proto = "UDP"
		case 2:
			proto = "SCTP"
		}
		port := pick(r, tPorts)
		if r.Intn(5) == 0 { // the edges of endPort ranges
			port = int(pick(r, portPool)) + pick(r, []int{-1, 1, 59, 60, 61, 120, 121})
		}
		ts[i] = tuple{Src: end(), Dst: end(), Proto: proto, Port: port}
	}
	return ts
}
