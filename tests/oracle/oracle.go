// The oracle: Kubernetes' own code reading manifests as kubectl and the API server do.
//
//   - documents are split as kubectl splits them (apimachinery util/yaml YAMLOrJSONDecoder) and go through
//     unstructured as kubectl sends them;
//   - each YAML document becomes JSON through sigs.k8s.io/yaml (go-yaml v2, as the API server);
//   - the JSON is decoded into k8s.io/api types by the apimachinery JSON serializer, case-sensitively
//     (strict field validation is reported as well, not enforced: the server's default is Warn);
//   - the API server's defaulting that changes what PSA sees is applied (pkg/apis/core/v1/defaults.go:
//     SetDefaults_Pod hostNetwork → hostPort = containerPort, SetDefaults_Volume → emptyDir);
//   - k8s.io/pod-security-admission evaluates the pod (or the workload's pod template) per level and
//     version, with the check ids PSA's registry would run.
//
// Test tooling only; the product stays C.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"
)

var scheme = runtime.NewScheme()
var loose, strict *kjson.Serializer

func init() {
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	loose = kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme, kjson.SerializerOptions{})
	strict = kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme, kjson.SerializerOptions{Strict: true})
}

// Object is one stored object as the oracle sees it.
type Object struct {
	File        string          `json:"file"`
	Index       int             `json:"index"` // object number in the file
	Kind        string          `json:"kind,omitempty"`
	Name        string          `json:"name,omitempty"`
	Error       string          `json:"error,omitempty"` // the server would reject the document/object
	StrictError string          `json:"strictError,omitempty"`
	Stored      json.RawMessage `json:"stored,omitempty"` // the typed object after defaulting, as JSON
	meta        *metav1.ObjectMeta
	spec        *corev1.PodSpec
}

// splitDocs splits a file the way kubectl's resource builder does and returns JSON documents or errors.
func splitDocs(data []byte) (docs [][]byte, errs []error) {
	d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var raw json.RawMessage
		err := d.Decode(&raw)
		if err == io.EOF {
			return
		}
		if err != nil {
			errs = append(errs, err)
			return
		}
		if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
			continue
		}
		docs = append(docs, raw)
	}
}

// YAMLToJSON per document, exactly as sigs.k8s.io/yaml does (used for the record; the decoder above
// already converted through it).
var _ = yaml.YAMLToJSON

func decodeObjects(file string, data []byte) []Object {
	docs, errs := splitDocs(data)
	var out []Object
	for _, doc := range docs {
		out = append(out, decodeDoc(file, doc, 0)...)
	}
	for _, e := range errs {
		out = append(out, Object{File: file, Error: e.Error()})
	}
	for i := range out {
		out[i].Index = i
	}
	return out
}

func decodeDoc(file string, doc []byte, depth int) []Object {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(doc, &probe); err != nil {
		return []Object{{File: file, Error: "not an object: " + err.Error()}}
	}
	var kind string
	json.Unmarshal(probe["kind"], &kind)
	if strings.HasSuffix(kind, "List") && probe["items"] != nil && depth < 8 {
		var items []json.RawMessage
		if err := json.Unmarshal(probe["items"], &items); err == nil {
			var out []Object
			for _, it := range items {
				out = append(out, decodeDoc(file, it, depth+1)...)
			}
			return out
		}
	}
	o := Object{File: file, Kind: kind}
	// kubectl decodes every document into unstructured (apimachinery util/json: integral numbers become
	// int64, so "runAsUser": 0.0 is sent as 0; a repeated key keeps its last value) and sends that JSON
	var u map[string]any
	if err := utiljson.Unmarshal(doc, &u); err != nil {
		o.Error = err.Error()
		return []Object{o}
	}
	if k, _ := u["kind"].(string); k == "" { // unstructured reads the exact key (as kubectl does)
		o.Error = "Object 'Kind' is missing"
		return []Object{o}
	}
	if v, _ := u["apiVersion"].(string); v == "" {
		o.Error = "Object 'apiVersion' is missing"
		return []Object{o}
	}
	doc, _ = json.Marshal(u)
	obj, _, err := loose.Decode(doc, nil, nil)
	if err != nil {
		o.Error = err.Error()
		return []Object{o}
	}
	if _, _, serr := strict.Decode(doc, nil, nil); serr != nil {
		o.StrictError = serr.Error()
	}
	o.meta, o.spec = podSpecOf(obj)
	if o.spec != nil && len(o.spec.Containers) == 0 {
		o.Error = "spec.containers: Required value (API server validation)"
	}
	if acc, ok := obj.(metav1.Object); ok {
		o.Name = acc.GetName()
	}
	o.Stored, _ = json.Marshal(obj)
	return []Object{o}
}

// podSpecOf defaults and extracts the pod (template) as PSA's DefaultPodSpecExtractor does.
func podSpecOf(obj runtime.Object) (*metav1.ObjectMeta, *corev1.PodSpec) {
	var m *metav1.ObjectMeta
	var s *corev1.PodSpec
	switch o := obj.(type) {
	case *corev1.Pod:
		m, s = &o.ObjectMeta, &o.Spec
		if s.HostNetwork { // SetDefaults_Pod (not for templates: DefaultHostNetworkHostPortsInPodTemplates is off)
			for _, cs := range [][]corev1.Container{s.Containers, s.InitContainers} {
				for i := range cs {
					for j := range cs[i].Ports {
						if cs[i].Ports[j].HostPort == 0 {
							cs[i].Ports[j].HostPort = cs[i].Ports[j].ContainerPort
						}
					}
				}
			}
		}
	case *corev1.PodTemplate:
		m, s = &o.Template.ObjectMeta, &o.Template.Spec
	case *corev1.ReplicationController:
		if o.Spec.Template != nil {
			m, s = &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec
		}
	case *appsv1.ReplicaSet:
		m, s = &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec
	case *appsv1.Deployment:
		m, s = &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec
	case *appsv1.StatefulSet:
		m, s = &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec
	case *appsv1.DaemonSet:
		m, s = &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec
	case *batchv1.Job:
		m, s = &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec
	case *batchv1.CronJob:
		m, s = &o.Spec.JobTemplate.Spec.Template.ObjectMeta, &o.Spec.JobTemplate.Spec.Template.Spec
	}
	if s != nil { // SetDefaults_Volume
		for i := range s.Volumes {
			if allSourcesNil(&s.Volumes[i].VolumeSource) {
				s.Volumes[i].VolumeSource = corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}
			}
		}
	}
	return m, s
}

func allSourcesNil(v *corev1.VolumeSource) bool {
	b, _ := json.Marshal(v)
	return string(b) == "{}"
}

// ---- PSA ----

type Violation struct {
	Check  string `json:"check"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

type PSAResult struct {
	Allowed    bool        `json:"allowed"`
	Violations []Violation `json:"violations"`
}

var checks = policy.DefaultChecks()

func versionedFor(c policy.Check, v api.Version) *policy.VersionedCheck {
	var hit *policy.VersionedCheck
	for i := range c.Versions {
		if !v.Older(c.Versions[i].MinimumVersion) {
			hit = &c.Versions[i]
		}
	}
	return hit
}

// evaluate runs the checks PSA's registry runs at lv, in its order (baseline ids sorted, then restricted).
func evaluate(lv api.LevelVersion, m *metav1.ObjectMeta, s *corev1.PodSpec) PSAResult {
	res := PSAResult{Allowed: true, Violations: []Violation{}}
	if lv.Level == api.LevelPrivileged {
		return res
	}
	v := lv.Version
	if v.Latest() || v.Minor() > maxMinor() {
		v = api.MajorMinorVersion(1, maxMinor())
	}
	overridden := map[policy.CheckID]bool{}
	var base, restr []policy.Check
	for _, c := range checks {
		vc := versionedFor(c, v)
		if vc == nil {
			continue
		}
		if c.Level == api.LevelRestricted {
			restr = append(restr, c)
			for _, o := range vc.OverrideCheckIDs {
				overridden[o] = true
			}
		} else {
			base = append(base, c)
		}
	}
	sort.Slice(base, func(i, j int) bool { return base[i].ID < base[j].ID })
	sort.Slice(restr, func(i, j int) bool { return restr[i].ID < restr[j].ID })
	run := base
	if lv.Level == api.LevelRestricted {
		run = nil
		for _, c := range base {
			if !overridden[c.ID] {
				run = append(run, c)
			}
		}
		run = append(run, restr...)
	}
	for _, c := range run {
		r := versionedFor(c, v).CheckPod(m, s)
		if !r.Allowed {
			res.Allowed = false
			res.Violations = append(res.Violations, Violation{string(c.ID), r.ForbiddenReason, r.ForbiddenDetail})
		}
	}
	return res
}

func maxMinor() int {
	mx := 0
	for _, c := range checks {
		for _, v := range c.Versions {
			if v.MinimumVersion.Minor() > mx {
				mx = v.MinimumVersion.Minor()
			}
		}
	}
	return mx
}

func readFile(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	return b
}

func writeJSON(w *bufio.Writer, v any) {
	b, _ := json.Marshal(v)
	w.Write(b)
	w.WriteByte('\n')
}
