package infra_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/validate"
)

// rulesDir holds a directory per rule; the INFRA-* ones are this package's,
// the others validate's.
const rulesDir = "../testdata/rules"

// infraCase is one file of testdata/rules/INFRA-*/cases.txt with the
// findings of the directory's rule it must give, as "RULE POINTER
// LINE:COLUMN" strings; none for a pass-* file.
type infraCase struct {
	rule validate.RuleID
	file string
	want []string
}

// loadInfraCases reads every testdata/rules/INFRA-*/cases.txt. A line is
//
//	FILE<TAB>-                          the file raises no finding of the rule
//	FILE<TAB>RULE<TAB>POINTER<TAB>L:C   one finding of the rule; a file that
//	                                    raises several has a line for each
//
// and lines that are empty or start with # are comments. Each file of the
// directory but cases.txt must be listed.
func loadInfraCases(t *testing.T) []*infraCase {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(rulesDir, "INFRA-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no %s/INFRA-* directories", rulesDir)
	}
	var out []*infraCase
	for _, dir := range dirs {
		rule := validate.RuleID(filepath.Base(dir))
		data, err := os.ReadFile(filepath.Join(dir, "cases.txt"))
		if err != nil {
			t.Fatal(err)
		}
		byFile := map[string]*infraCase{}
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
				continue
			}
			where := fmt.Sprintf("%s/cases.txt:%d", dir, n)
			parts := strings.Split(line, "\t")
			c := byFile[parts[0]]
			if c == nil {
				c = &infraCase{rule: rule, file: filepath.Join(dir, parts[0])}
				byFile[parts[0]] = c
				out = append(out, c)
			}
			switch {
			case len(parts) == 2 && parts[1] == "-":
				if !strings.HasPrefix(parts[0], "pass-") {
					t.Errorf("%s: only a pass-* file raises no finding", where)
				}
			case len(parts) == 4:
				if validate.RuleID(parts[1]) != rule {
					t.Errorf("%s: rule %s in the directory of %s", where, parts[1], rule)
				}
				if !strings.HasPrefix(parts[0], "fail-") {
					t.Errorf("%s: only a fail-* file raises findings", where)
				}
				c.want = append(c.want, strings.Join(parts[1:], " "))
			default:
				t.Fatalf("%s: want FILE<TAB>- or FILE<TAB>RULE<TAB>POINTER<TAB>LINE:COLUMN, got %q", where, line)
			}
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != "cases.txt" && byFile[e.Name()] == nil {
				t.Errorf("%s/%s is not listed in cases.txt", dir, e.Name())
			}
		}
	}
	return out
}

// TestInfraRuleCases loads each file of testdata/rules/INFRA-* and checks
// it: the findings of the directory's rule must be exactly those listed, in
// the order Check sorts them, and a pass-* file raises no finding at all.
func TestInfraRuleCases(t *testing.T) {
	t.Parallel()
	for _, c := range loadInfraCases(t) {
		t.Run(string(c.rule)+"/"+filepath.Base(c.file), func(t *testing.T) {
			t.Parallel()
			p, err := infra.Load(c.file)
			if err != nil {
				t.Fatal(err)
			}
			infra.Check(p)
			var got, all []string
			for _, f := range p.Findings {
				s := fmt.Sprintf("%s %s %d:%d", f.Rule, f.Pointer, f.Line, f.Column)
				all = append(all, s+" "+f.Message)
				if f.File != c.file {
					t.Errorf("finding in %s, want %s: %s", f.File, c.file, s)
				}
				if f.Rule == c.rule {
					got = append(got, s)
				}
			}
			if len(c.want) == 0 && len(all) > 0 {
				// A passing file is an example of the wiring done right.
				t.Errorf("a pass-* file raises no finding of any rule, got:\n  %s", strings.Join(all, "\n  "))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("findings of %s:\n got  %q\n want %q\nall findings:\n  %s", c.rule, got, c.want, strings.Join(all, "\n  "))
			}
		})
	}
}

// TestEveryInfraRuleHasCases makes sure no INFRA rule goes untested: each
// has a file that passes it and one that breaks it.
func TestEveryInfraRuleHasCases(t *testing.T) {
	pass, fail := map[validate.RuleID]int{}, map[validate.RuleID]int{}
	for _, c := range loadInfraCases(t) {
		if len(c.want) == 0 {
			pass[c.rule]++
		} else {
			fail[c.rule]++
		}
	}
	var ids []validate.RuleID
	for _, r := range infra.Rules() {
		ids = append(ids, r.ID)
		if pass[r.ID] == 0 {
			t.Errorf("%s has no pass-* file in %s/%s", r.ID, rulesDir, r.ID)
		}
		if fail[r.ID] == 0 {
			t.Errorf("%s has no fail-* file in %s/%s", r.ID, rulesDir, r.ID)
		}
	}
	for id := range pass {
		if !slices.Contains(ids, id) {
			t.Errorf("%s/%s is not the directory of an INFRA rule", rulesDir, id)
		}
	}
}
