// oracle: Kubernetes' own decoding and Pod Security Admission, for differential tests of bulkhead.
//
//	oracle gen -seed S -n N -out DIR         write N generated cases into DIR/cases
//	oracle decode FILE...                    one JSON line per object: what the API server stores
//	oracle pss -level L -version V PATH...   PSA's verdicts in `bulkhead pss --format json`'s shape
//	oracle run -seed S -n N -bulkhead BH -work DIR [-examples K]
//	                                          generate, decode, run bulkhead, compare; prints the numbers
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"k8s.io/pod-security-admission/api"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: oracle gen|decode|pss|run ...")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	seed := fs.Int64("seed", 1, "generator seed")
	n := fs.Int("n", 100, "number of cases")
	out := fs.String("out", "", "output directory")
	level := fs.String("level", "baseline", "PSA level")
	version := fs.String("version", "latest", "PSA version")
	bh := fs.String("bulkhead", "", "bulkhead binary")
	work := fs.String("work", "", "work directory")
	examples := fs.Int("examples", 5, "examples per category")
	fs.Parse(os.Args[2:])
	switch os.Args[1] {
	case "gen":
		if err := generate(*seed, *n, *out); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	case "decode":
		w := bufio.NewWriter(os.Stdout)
		for _, f := range expand(fs.Args()) {
			for _, o := range decodeObjects(f, readFile(f)) {
				writeJSON(w, o)
			}
		}
		w.Flush()
	case "pss":
		lv := parseLV(*level, *version)
		var res []pssResult
		for _, f := range expand(fs.Args()) {
			res = append(res, psaOf(f, lv, *version)...)
		}
		b, _ := json.MarshalIndent(map[string]any{"results": res}, "", " ")
		os.Stdout.Write(append(b, '\n'))
	case "run":
		os.Exit(runAll(*seed, *n, *bh, *work, *examples))
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}

func parseLV(level, version string) api.LevelVersion {
	l, err := api.ParseLevel(level)
	if err != nil {
		panic(err)
	}
	v, err := api.ParseVersion(version)
	if err != nil {
		panic(err)
	}
	return api.LevelVersion{Level: l, Version: v}
}

func expand(paths []string) []string {
	var out []string
	for _, p := range paths {
		filepath.Walk(p, func(f string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && (strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml") || strings.HasSuffix(f, ".json")) {
				out = append(out, f)
			}
			return nil
		})
	}
	sort.Strings(out)
	return out
}

type pssResult struct {
	Location struct {
		File string `json:"file"`
	} `json:"location"`
	Object struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	} `json:"object"`
	Level      string      `json:"level"`
	Version    string      `json:"version"`
	Allowed    bool        `json:"allowed"`
	Violations []Violation `json:"violations"`
}

func psaOf(f string, lv api.LevelVersion, version string) []pssResult {
	var res []pssResult
	for _, o := range decodeObjects(f, readFile(f)) {
		if o.spec == nil {
			continue
		}
		r := evaluate(lv, o.meta, o.spec)
		var x pssResult
		x.Location.File = f
		x.Object.Kind, x.Object.Name = o.Kind, o.Name
		x.Level, x.Version, x.Allowed, x.Violations = string(lv.Level), version, r.Allowed, r.Violations
		res = append(res, x)
	}
	return res
}

// ---- the differential run ----

type bhScan struct {
	Findings []struct {
		Rule      string `json:"rule"`
		Severity  string `json:"severity"`
		Container string `json:"container"`
		Location  struct {
			File string `json:"file"`
		} `json:"location"`
	} `json:"findings"`
	Errors   []struct{ File, Message string } `json:"errors"`
	Warnings []struct{ File, Message string } `json:"warnings"`
}

func caseOf(f string) string {
	b := filepath.Base(f)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

func runBH(bh string, args ...string) []byte {
	out, err := exec.Command(bh, args...).Output()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() > 2) {
		fmt.Fprintf(os.Stderr, "bulkhead %v: %v\n", args, err)
		os.Exit(2)
	}
	return out
}

func scanSets(bh, dir string) (risky map[string]map[string]bool, errs, riskier map[string]string) {
	var s bhScan
	if err := json.Unmarshal(runBH(bh, "scan", "--format", "json", "--pss", "none", "--fail-on", "none", dir), &s); err != nil {
		panic(err)
	}
	risky, errs, riskier = map[string]map[string]bool{}, map[string]string{}, map[string]string{}
	for _, f := range s.Findings {
		if f.Severity != "critical" && f.Severity != "high" {
			continue
		}
		c := caseOf(f.Location.File)
		if risky[c] == nil {
			risky[c] = map[string]bool{}
		}
		risky[c][f.Rule+"/"+f.Container] = true
	}
	for _, e := range s.Errors {
		errs[caseOf(e.File)] = e.Message
	}
	for _, w := range s.Warnings {
		if strings.Contains(w.Message, "evaluated") {
			riskier[caseOf(w.File)] = w.Message
		}
	}
	return
}

func runAll(seed int64, n int, bh, work string, nex int) int {
	t0 := time.Now()
	os.RemoveAll(work)
	if err := generate(seed, n, work); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	canon := filepath.Join(work, "canon")
	os.MkdirAll(canon, 0o755)
	files := expand([]string{filepath.Join(work, "cases")})
	objs := map[string][]Object{}
	serverRejected := 0
	nobj := 0
	for _, f := range files {
		os := decodeObjects(f, readFile(f))
		c := caseOf(f)
		objs[c] = os
		var parts []string
		rejected := false
		for _, o := range os {
			if o.Error != "" {
				rejected = true
				continue
			}
			nobj++
			parts = append(parts, string(o.Stored))
		}
		if rejected {
			serverRejected++
		}
		writeFile(filepath.Join(canon, c+".json"), strings.Join(parts, "\n"))
	}
	raw, rawErr, riskier := scanSets(bh, filepath.Join(work, "cases"))
	want, _, _ := scanSets(bh, canon)
	bypass, over, bhRejected := []string{}, []string{}, []string{}
	acceptedRejected, bhOnlyErr := []string{}, []string{}
	for _, f := range files {
		c := caseOf(f)
		for k := range want[c] {
			if !raw[c][k] {
				if rawErr[c] != "" {
					bhRejected = append(bhRejected, c+": "+k+" (bulkhead: "+rawErr[c]+")")
				} else {
					bypass = append(bypass, c+": stored object has "+k+", bulkhead's reading lacks it")
				}
			}
		}
		if hasErr(objs[c]) {
			if rawErr[c] == "" {
				acceptedRejected = append(acceptedRejected, c+": "+firstErr(objs[c]))
			}
			continue
		}
		for k := range raw[c] {
			if !want[c][k] {
				over = append(over, c+": "+k+" not in the stored object ("+riskier[c]+")")
			}
		}
		if rawErr[c] != "" {
			bhOnlyErr = append(bhOnlyErr, c+": "+rawErr[c])
		}
	}
	// PSA: every level × version
	versions := []string{"latest"}
	for v := 0; v <= maxMinor(); v++ {
		versions = append(versions, fmt.Sprintf("v1.%d", v))
	}
	psaCompared, psaDis, psaRiskier, wording, psaRiskierWords := 0, []string{}, 0, []string{}, 0
	// bulkhead pss per level × version, two at a time (CI has two cores)
	outs := map[string][]byte{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan bool, 2)
	for _, level := range []string{"baseline", "restricted"} {
		for _, version := range versions {
			wg.Add(1)
			go func(level, version string) {
				defer wg.Done()
				sem <- true
				o := runBH(bh, "pss", "--format", "json", "--level", level, "--version", version, filepath.Join(work, "cases"))
				<-sem
				mu.Lock()
				outs[level+" "+version] = o
				mu.Unlock()
			}(level, version)
		}
	}
	wg.Wait()
	for _, level := range []string{"baseline", "restricted"} {
		for _, version := range versions {
			var got struct{ Results []pssResult }
			json.Unmarshal(outs[level+" "+version], &got)
			byCase := map[string][]pssResult{}
			for _, r := range got.Results {
				byCase[caseOf(r.Location.File)] = append(byCase[caseOf(r.Location.File)], r)
			}
			lv := parseLV(level, version)
			for _, f := range files {
				c := caseOf(f)
				if rawErr[c] != "" || hasErr(objs[c]) {
					continue
				}
				var exp []PSAResult
				for _, o := range objs[c] {
					if o.spec != nil {
						exp = append(exp, evaluate(lv, o.meta, o.spec))
					}
				}
				b := byCase[c]
				psaCompared += len(exp)
				if len(b) > len(exp) && riskier[c] != "" {
					psaRiskier++ // a case variant or duplicate gives bulkhead a pod template the server lacks
					continue
				}
				if len(b) != len(exp) {
					psaDis = append(psaDis, fmt.Sprintf("%s %s/%s: %d results, PSA %d", c, level, version, len(b), len(exp)))
					continue
				}
				for i := range exp {
					gi, ei := ids(b[i].Violations), ids(exp[i].Violations)
					if b[i].Allowed != exp[i].Allowed || gi != ei {
						if riskier[c] != "" && !b[i].Allowed && superset(b[i].Violations, exp[i].Violations) {
							psaRiskier++
							continue
						}
						psaDis = append(psaDis, fmt.Sprintf("%s %s/%s: bulkhead [%s], PSA [%s]", c, level, version, gi, ei))
					} else if words(b[i].Violations) != words(exp[i].Violations) && riskier[c] != "" {
						psaRiskierWords++
					} else if words(b[i].Violations) != words(exp[i].Violations) {
						wording = append(wording, fmt.Sprintf("%s %s/%s: bulkhead %s | PSA %s", c, level, version, words(b[i].Violations), words(exp[i].Violations)))
					}
				}
			}
		}
	}
	fmt.Printf("cases generated: %d (seed %d), objects stored by the oracle: %d, cases the server rejects: %d\n", n, seed, nobj, serverRejected)
	fmt.Printf("bypasses: %d (cases compared: %d)\n", len(bypass), len(files))
	show(bypass, nex)
	fmt.Printf("over-reports: %d findings in %d cases\n", len(over), distinct(over))
	show(over, nex)
	fmt.Printf("findings missing where bulkhead reported an input error (exit 2): %d\n", len(bhRejected))
	show(bhRejected, nex)
	fmt.Printf("cases the server rejects that bulkhead reads without an input error: %d\n", len(acceptedRejected))
	show(acceptedRejected, nex)
	fmt.Printf("cases the server accepts where bulkhead reports an input error: %d\n", len(bhOnlyErr))
	show(bhOnlyErr, nex)
	fmt.Printf("PSA results compared: %d (levels x %d versions), disagreements: %d, stricter by a documented riskier reading: %d, wording differences: %d\n",
		psaCompared, len(versions), len(psaDis), psaRiskier, len(wording))
	show(psaDis, nex)
	fmt.Printf("wording differences where bulkhead evaluated a second reading (duplicates, merges, case variants): %d\n", psaRiskierWords)
	show(wording, nex)
	fmt.Printf("wall time: %.1f s\n", time.Since(t0).Seconds())
	if len(bypass) > 0 || len(psaDis) > 0 {
		return 1
	}
	return 0
}

func firstErr(os []Object) string {
	for _, o := range os {
		if o.Error != "" {
			if len(o.Error) > 160 {
				return o.Error[:160] + "…"
			}
			return o.Error
		}
	}
	return ""
}

func distinct(xs []string) int {
	seen := map[string]bool{}
	for _, x := range xs {
		seen[strings.SplitN(x, ":", 2)[0]] = true
	}
	return len(seen)
}

func hasErr(os []Object) bool {
	for _, o := range os {
		if o.Error != "" {
			return true
		}
	}
	return false
}

func ids(v []Violation) string {
	var s []string
	for _, x := range v {
		s = append(s, x.Check)
	}
	return strings.Join(s, ",")
}

func words(v []Violation) string {
	var s []string
	for _, x := range v {
		s = append(s, x.Reason+" ("+x.Detail+")")
	}
	return strings.Join(s, "; ")
}

func superset(a, b []Violation) bool {
	have := map[string]bool{}
	for _, x := range a {
		have[x.Check] = true
	}
	for _, x := range b {
		if !have[x.Check] {
			return false
		}
	}
	return true
}

func show(xs []string, n int) {
	sort.Strings(xs)
	for i, x := range xs {
		if i >= n {
			fmt.Printf("  … and %d more\n", len(xs)-n)
			break
		}
		fmt.Println("  " + x)
	}
}

func writeFile(p, s string) {
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		panic(err)
	}
}
