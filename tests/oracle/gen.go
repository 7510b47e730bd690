// The generator of adversarial manifests: a random pod (template) with security-relevant settings, in a
// random kind, written out with random YAML/JSON features: merge keys in every position, anchors and
// aliases, duplicate keys, case-variant keys, YAML 1.1 scalars, tags, quoting, BOMs, document markers,
// CRLF, comments, flow style, JSON escapes and number forms. The expected result is never computed here:
// the oracle decodes every case as the API server would.
package main

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// node of the abstract manifest
type node struct {
	pairs  []pair // mapping (ordered)
	items  []*node
	isMap  bool
	isSeq  bool
	scalar any // bool, int, float64, string, nil
}
type pair struct {
	k string
	v *node
}

func m(kv ...any) *node {
	n := &node{isMap: true}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			continue
		}
		v, ok := kv[i+1].(*node)
		if !ok {
			v = &node{scalar: kv[i+1]}
		}
		n.pairs = append(n.pairs, pair{kv[i].(string), v})
	}
	return n
}
func seq(items ...*node) *node { return &node{isSeq: true, items: items} }
func sc(v any) *node           { return &node{scalar: v} }

type gen struct {
	r     *rand.Rand
	feat  map[string]bool
	anchN int
}

func (g *gen) p(x float64) bool { return g.r.Float64() < x }
func (g *gen) pick(xs ...string) string {
	return xs[g.r.Intn(len(xs))]
}

var capNames = []string{"SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "ALL", "CHOWN", "NET_RAW", "SYS_MODULE", "BPF", "NET_BIND_SERVICE", "DAC_READ_SEARCH", "sys_admin", "CAP_SYS_ADMIN"}
var hostPaths = []string{"/", "/var/run/docker.sock", "/run/containerd/containerd.sock", "/etc", "/proc", "/var/log", "/data", "/var/lib/kubelet"}

func (g *gen) maybeBool(p float64) any {
	if g.p(p) {
		return g.p(0.5)
	}
	return nil
}

func (g *gen) secctx(pod bool) *node {
	s := m()
	add := func(k string, v any) {
		if v != nil {
			s.pairs = append(s.pairs, pair{k, sc(v)})
		}
	}
	add("runAsNonRoot", g.maybeBool(0.3))
	if g.p(0.3) {
		add("runAsUser", []int{0, 1000, 65534}[g.r.Intn(3)])
	}
	if g.p(0.3) {
		s.pairs = append(s.pairs, pair{"seccompProfile", m("type", g.pick("RuntimeDefault", "Unconfined", "Localhost"), "localhostProfile", "p.json")})
	}
	if g.p(0.1) {
		s.pairs = append(s.pairs, pair{"appArmorProfile", m("type", g.pick("RuntimeDefault", "Unconfined"))})
	}
	if g.p(0.1) {
		s.pairs = append(s.pairs, pair{"seLinuxOptions", m("type", g.pick("spc_t", "container_t", "container_init_t"))})
	}
	if g.p(0.05) {
		s.pairs = append(s.pairs, pair{"windowsOptions", m("hostProcess", g.p(0.5))})
	}
	if pod {
		if g.p(0.15) {
			s.pairs = append(s.pairs, pair{"sysctls", seq(m("name", g.pick("kernel.core_pattern", "net.ipv4.ip_local_port_range", "kernel.shm_rmid_forced"), "value", "1"))})
		}
		return s
	}
	add("privileged", g.maybeBool(0.4))
	add("allowPrivilegeEscalation", g.maybeBool(0.4))
	add("readOnlyRootFilesystem", g.maybeBool(0.2))
	if g.p(0.1) {
		add("procMount", g.pick("Unmasked", "Default"))
	}
	if g.p(0.4) {
		c := m()
		if g.p(0.7) {
			c.pairs = append(c.pairs, pair{"add", seq(sc(capNames[g.r.Intn(len(capNames))]))})
		}
		if g.p(0.5) {
			c.pairs = append(c.pairs, pair{"drop", seq(sc("ALL"))})
		}
		s.pairs = append(s.pairs, pair{"capabilities", c})
	}
	return s
}

func (g *gen) container(name string) *node {
	c := m("name", name, "image", g.pick("app:1", "app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"))
	if g.p(0.8) {
		c.pairs = append(c.pairs, pair{"securityContext", g.secctx(false)})
	}
	if g.p(0.25) {
		port := m("containerPort", 8080)
		if g.p(0.5) {
			port.pairs = append(port.pairs, pair{"hostPort", sc([]int{0, 80, 8080}[g.r.Intn(3)])})
		}
		c.pairs = append(c.pairs, pair{"ports", seq(port)})
	}
	if g.p(0.1) {
		c.pairs = append(c.pairs, pair{"livenessProbe", m("httpGet", m("host", "10.0.0.1", "port", 80))})
	}
	if g.p(0.2) {
		c.pairs = append(c.pairs, pair{"volumeMounts", seq(m("name", "v0", "mountPath", "/host"))})
	}
	return c
}

func (g *gen) podSpec(isPod bool) *node {
	s := m("hostNetwork", g.maybeBool(0.25), "hostPID", g.maybeBool(0.25), "hostIPC", g.maybeBool(0.2))
	if g.p(0.4) {
		s.pairs = append(s.pairs, pair{"securityContext", g.secctx(true)})
	}
	cs := seq(g.container("app"))
	if g.p(0.3) {
		cs.items = append(cs.items, g.container("side"))
		if g.feat["alias"] && g.p(0.5) { // the same securityContext node twice: rendered as anchor + alias
			for _, p := range cs.items[0].pairs {
				if p.k == "securityContext" {
					cs.items[1].pairs = append(cs.items[1].pairs, pair{"securityContext", p.v})
				}
			}
		}
	}
	s.pairs = append(s.pairs, pair{"containers", cs})
	if g.p(0.2) {
		s.pairs = append(s.pairs, pair{"initContainers", seq(g.container("init"))})
	}
	if isPod && g.p(0.1) {
		e := g.container("debug")
		e.pairs = append(e.pairs, pair{"targetContainerName", sc("app")})
		s.pairs = append(s.pairs, pair{"ephemeralContainers", seq(e)})
	}
	if g.p(0.35) {
		var v *node
		switch g.r.Intn(5) {
		case 0, 1:
			v = m("name", "v0", "hostPath", m("path", hostPaths[g.r.Intn(len(hostPaths))]))
		case 2:
			v = m("name", "v0", "emptyDir", m())
		case 3:
			v = m("name", "v0", "nfs", m("server", "n", "path", "/"))
		default:
			v = m("name", "v0")
		}
		s.pairs = append(s.pairs, pair{"volumes", seq(v)})
	}
	return s
}

var kinds = [][3]string{{"v1", "Pod", ""}, {"apps/v1", "Deployment", "t"}, {"apps/v1", "DaemonSet", "t"},
	{"apps/v1", "StatefulSet", "t"}, {"apps/v1", "ReplicaSet", "t"}, {"batch/v1", "Job", "t"},
	{"batch/v1", "CronJob", "c"}, {"v1", "ReplicationController", "t"}, {"v1", "PodTemplate", "p"}}

func (g *gen) object(i int) *node {
	k := kinds[g.r.Intn(len(kinds))]
	if g.p(0.4) {
		k = kinds[0]
	}
	meta := m("name", fmt.Sprintf("o%d", i))
	if g.p(0.1) {
		meta.pairs = append(meta.pairs, pair{"annotations", m("container.apparmor.security.beta.kubernetes.io/app", g.pick("unconfined", "runtime/default"))})
	}
	spec := g.podSpec(k[1] == "Pod")
	tmpl := m("metadata", m("labels", m("app", "x")), "spec", spec)
	var body *node
	switch k[2] {
	case "":
		body = spec
	case "t":
		body = m("selector", m("matchLabels", m("app", "x")), "template", tmpl)
		if k[1] == "ReplicationController" {
			body = m("selector", m("app", "x"), "template", tmpl)
		}
		if k[1] == "StatefulSet" {
			body.pairs = append(body.pairs, pair{"serviceName", sc("s")})
		}
	case "c":
		body = m("schedule", "* * * * *", "jobTemplate", m("spec", m("template", tmpl)))
	}
	if k[2] == "p" {
		return m("apiVersion", k[0], "kind", k[1], "metadata", meta, "template", tmpl)
	}
	return m("apiVersion", k[0], "kind", k[1], "metadata", meta, "spec", body)
}

var features = []string{"merge-after", "merge-before", "merge-list", "merge-two", "merge-kind", "merge-nested", "alias",
	"dup", "case", "yaml11", "tags", "quote", "bom", "bom-later", "markers", "crlf", "comments", "flow", "json",
	"json-escape", "json-numbers", "null", "multi", "list", "unknown"}

// decoy: a value of the same type as v that says the opposite
func decoy(v *node) *node {
	switch x := v.scalar.(type) {
	case bool:
		return sc(!x)
	case int:
		if x == 0 {
			return sc(1000)
		}
		return sc(0)
	case string:
		return sc(x + "-decoy")
	}
	return m()
}

// mutate rewrites the tree (merge keys, duplicates, case variants, nulls, unknown fields) by feature.
func (g *gen) mutate(n *node, depth int) {
	if n.isSeq {
		for _, it := range n.items {
			g.mutate(it, depth+1)
		}
		return
	}
	if !n.isMap {
		return
	}
	for _, p := range n.pairs {
		g.mutate(p.v, depth+1)
	}
	if len(n.pairs) == 0 || !g.p(0.35) {
		return
	}
	i := g.r.Intn(len(n.pairs))
	p := n.pairs[i]
	rest := append(append([]pair{}, n.pairs[:i]...), n.pairs[i+1:]...)
	one := func(v *node) *node { return m(p.k, v) }
	var mut []pair
	switch {
	case g.feat["merge-after"] && g.p(0.5):
		mut = []pair{{p.k, decoy(p.v)}, {"<<", one(p.v)}}
	case g.feat["merge-before"] && g.p(0.5):
		mut = []pair{{"<<", one(decoy(p.v))}, {p.k, p.v}}
	case g.feat["merge-list"] && g.p(0.5):
		mut = []pair{{"<<", seq(one(p.v), one(decoy(p.v)))}}
	case g.feat["merge-two"] && g.p(0.5):
		mut = []pair{{"<<", one(decoy(p.v))}, {"<<", one(p.v)}}
	case g.feat["merge-nested"] && g.p(0.5):
		mut = []pair{{"<<", m("<<", one(p.v))}}
	case g.feat["dup"] && g.p(0.5):
		mut = []pair{{p.k, decoy(p.v)}, {p.k, p.v}}
	case g.feat["case"] && g.p(0.6):
		k := strings.ToUpper(p.k[:1]) + p.k[1:]
		if g.p(0.3) {
			k = strings.ToLower(p.k)
		}
		mut = []pair{p, {k, decoy(p.v)}}
		if g.p(0.3) {
			mut = []pair{{k, p.v}} // only the variant: the server drops it
		}
	case g.feat["null"] && g.p(0.3):
		mut = []pair{{p.k, sc(nil)}}
	case g.feat["unknown"] && g.p(0.3):
		mut = []pair{p, {"x-unknown", sc("1")}}
	default:
		return
	}
	at := g.r.Intn(len(rest) + 1)
	n.pairs = append(append(append([]pair{}, rest[:at]...), mut...), rest[at:]...)
}

// ---- writers ----

type writer struct {
	g       *gen
	b       strings.Builder
	anchors map[*node]string
}

func (w *writer) scalarYAML(v any, key bool) string {
	g := w.g
	switch x := v.(type) {
	case nil:
		return g.pick("null", "~", "Null", "")
	case bool:
		if g.feat["yaml11"] && !key && g.p(0.6) {
			if x {
				return g.pick("yes", "Yes", "on", "ON", "y", "True", "TRUE")
			}
			return g.pick("no", "No", "off", "OFF", "n", "False", "FALSE")
		}
		if g.feat["tags"] && g.p(0.3) {
			return "!!bool " + g.pick(`"`+strconv.FormatBool(x)+`"`, strconv.FormatBool(x))
		}
		if g.feat["quote"] && g.p(0.15) {
			return `"` + strconv.FormatBool(x) + `"` // a string in a bool field: the server rejects it
		}
		return strconv.FormatBool(x)
	case int:
		if g.feat["yaml11"] && g.p(0.6) {
			switch g.r.Intn(6) {
			case 0:
				return fmt.Sprintf("0x%X", x)
			case 1:
				return fmt.Sprintf("0o%o", x)
			case 2:
				return fmt.Sprintf("%d.0", x)
			case 3:
				return fmt.Sprintf("%de0", x)
			case 4:
				return fmt.Sprintf("+%d", x)
			default:
				if x >= 1000 {
					s := strconv.Itoa(x)
					return s[:len(s)-3] + "_" + s[len(s)-3:]
				}
			}
		}
		if g.feat["tags"] && g.p(0.3) {
			return fmt.Sprintf("!!int \"%d\"", x)
		}
		return strconv.Itoa(x)
	case string:
		if key {
			if g.feat["quote"] && g.p(0.2) {
				return strconv.Quote(x)
			}
			return x
		}
		if g.feat["tags"] && g.p(0.2) {
			return "!!str " + x
		}
		if g.feat["quote"] && g.p(0.4) {
			if g.p(0.5) {
				return "'" + strings.ReplaceAll(x, "'", "''") + "'"
			}
			return strconv.Quote(x)
		}
		if _, err := strconv.ParseFloat(x, 64); err == nil || strings.ContainsAny(x, ":*#{}[],&!|>'\"%@`") || x == "" ||
			strings.Contains(" y n yes no on off true false null ~ ", " "+strings.ToLower(x)+" ") {
			return strconv.Quote(x)
		}
		return x
	}
	return fmt.Sprint(v)
}

func (w *writer) anchor(n *node) (ref string, def string) {
	if !w.g.feat["alias"] {
		return "", ""
	}
	if a, ok := w.anchors[n]; ok {
		return "*" + a, ""
	}
	w.g.anchN++
	a := fmt.Sprintf("a%d", w.g.anchN)
	w.anchors[n] = a
	return "", "&" + a + " "
}

func (w *writer) flow(n *node) string {
	if ref, _ := w.anchor(n); ref != "" {
		return ref
	}
	_, def := w.anchor(n)
	if n.isMap {
		var parts []string
		for _, p := range n.pairs {
			parts = append(parts, w.scalarYAML(p.k, true)+": "+w.flow(p.v))
		}
		return def + "{" + strings.Join(parts, ", ") + "}"
	}
	if n.isSeq {
		var parts []string
		for _, it := range n.items {
			parts = append(parts, w.flow(it))
		}
		return def + "[" + strings.Join(parts, ", ") + "]"
	}
	s := w.scalarYAML(n.scalar, false)
	if s == "" {
		return "null"
	}
	return s
}

func (w *writer) comment() string {
	if w.g.feat["comments"] && w.g.p(0.2) {
		return " # note: privileged: false"
	}
	return ""
}

func (w *writer) block(n *node, ind int) {
	pad := strings.Repeat("  ", ind)
	if w.g.feat["flow"] && ind > 1 && w.g.p(0.3) || (!n.isMap && !n.isSeq) {
		w.b.WriteString(" " + w.flow(n) + w.comment() + "\n")
		return
	}
	if ref, _ := w.anchor(n); ref != "" {
		w.b.WriteString(" " + ref + "\n")
		return
	}
	_, def := w.anchor(n)
	if (n.isMap && len(n.pairs) == 0) || (n.isSeq && len(n.items) == 0) {
		w.b.WriteString(" " + def + map[bool]string{true: "{}", false: "[]"}[n.isMap] + "\n")
		return
	}
	if def != "" {
		w.b.WriteString(" " + strings.TrimSpace(def))
	}
	w.b.WriteString("\n")
	if n.isMap {
		for _, p := range n.pairs {
			w.b.WriteString(pad + w.scalarYAML(p.k, true) + ":")
			w.block(p.v, ind+1)
		}
		return
	}
	for _, it := range n.items {
		w.b.WriteString(pad + "-")
		w.block(it, ind+1)
	}
}

func (w *writer) yamlDoc(n *node) string {
	w.b.Reset()
	for _, p := range n.pairs {
		w.b.WriteString(w.scalarYAML(p.k, true) + ":")
		w.block(p.v, 1)
	}
	return w.b.String()
}

func (w *writer) jsonStr(s string) string {
	q := strconv.Quote(s)
	if w.g.feat["json-escape"] && w.g.p(0.3) && len(s) > 0 {
		q = fmt.Sprintf(`"\u%04x%s`, s[0], strconv.Quote(s[1:])[1:])
	}
	return q
}

func (w *writer) json(n *node) string {
	g := w.g
	switch {
	case n.isMap:
		var parts []string
		for _, p := range n.pairs {
			if p.k == "<<" { // JSON has no merge keys: inline the merged pairs in place
				src := []*node{p.v}
				if p.v.isSeq {
					src = p.v.items
				}
				for _, s := range src {
					for _, q := range s.pairs {
						parts = append(parts, w.jsonStr(q.k)+": "+w.json(q.v))
					}
				}
				continue
			}
			parts = append(parts, w.jsonStr(p.k)+": "+w.json(p.v))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case n.isSeq:
		var parts []string
		for _, it := range n.items {
			parts = append(parts, w.json(it))
		}
		return "[" + strings.Join(parts, ",\n ") + "]"
	}
	switch x := n.scalar.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case int:
		if g.feat["json-numbers"] && g.p(0.5) {
			return g.pick(fmt.Sprintf("%d.0", x), fmt.Sprintf("%de0", x), fmt.Sprintf("%dE+0", x), fmt.Sprintf("%d.00", x))
		}
		return strconv.Itoa(x)
	case string:
		return w.jsonStr(x)
	}
	return "null"
}

func (g *gen) pickFeatures() {
	g.feat = map[string]bool{}
	for k := 1 + g.r.Intn(3); k > 0; k-- {
		g.feat[features[g.r.Intn(len(features))]] = true
	}
}

// one case: file name extension and bytes
func (g *gen) oneCase(i int) (string, []byte) {
	g.pickFeatures()
	nobj := 1
	if g.feat["multi"] {
		nobj = 2 + g.r.Intn(2)
	}
	var objs []*node
	for k := 0; k < nobj; k++ {
		o := g.object(i*10 + k)
		g.mutate(o, 0)
		objs = append(objs, o)
	}
	if g.feat["merge-kind"] {
		o := objs[0]
		o.pairs = append([]pair{{"kind", sc("ConfigMap")}}, o.pairs...)
		for j := 1; j < len(o.pairs); j++ {
			if o.pairs[j].k == "kind" {
				o.pairs[j] = pair{"<<", m("kind", o.pairs[j].v)}
			}
		}
	}
	if g.feat["list"] {
		objs = []*node{m("apiVersion", "v1", "kind", "List", "items", seq(objs...))}
	}
	w := &writer{g: g, anchors: map[*node]string{}}
	if g.feat["json"] || g.feat["json-escape"] || g.feat["json-numbers"] {
		var parts []string
		for _, o := range objs {
			parts = append(parts, w.json(o))
		}
		return "json", []byte(strings.Join(parts, "\n"))
	}
	var b strings.Builder
	if g.feat["bom"] {
		b.WriteString("\uFEFF")
	}
	if g.feat["markers"] {
		b.WriteString(g.pick("---\n", "# only a comment\n---\n", "---\n# c\n---\n"))
	}
	for k, o := range objs {
		if k > 0 {
			b.WriteString("---\n")
			if g.feat["bom-later"] {
				b.WriteString("\uFEFF")
			}
		}
		w.anchors = map[*node]string{}
		b.WriteString(w.yamlDoc(o))
		if g.feat["markers"] && g.p(0.5) {
			b.WriteString("...\n")
		}
	}
	s := b.String()
	if g.feat["crlf"] {
		s = strings.ReplaceAll(s, "\n", "\r\n")
	}
	return "yaml", []byte(s)
}

// generate writes n cases into dir/cases: 00000.yaml, 00001.json, …
func generate(seed int64, n int, dir string) error {
	g := &gen{r: rand.New(rand.NewSource(seed))}
	cases := filepath.Join(dir, "cases")
	if err := os.MkdirAll(cases, 0o755); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		ext, b := g.oneCase(i)
		feats := []string{}
		for _, f := range features {
			if g.feat[f] {
				feats = append(feats, f)
			}
		}
		name := filepath.Join(cases, fmt.Sprintf("%05d-%s.%s", i, strings.Join(feats, "+"), ext))
		if err := os.WriteFile(name, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
