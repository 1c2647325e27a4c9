package validate

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Kind is the kind of document a report is about.
type Kind string

// Document kinds.
const (
	KindRequest  Kind = "request"
	KindResponse Kind = "response"
	KindFixture  Kind = "fixture"
	// KindUnknown is a JSON document that is none of the above (or could not
	// be read at all).
	KindUnknown Kind = "unknown"
	// KindAny marks rules that apply to every document.
	KindAny Kind = "any"
	// KindReplay marks rules about a function's answer to a fixture:
	// expectations and function failures (albcheck replay).
	KindReplay Kind = "replay"
)

// Mode is a target group's mode: whether multi-value headers are on.
type Mode string

// Modes. ModeAuto tells the mode from the document (or from the request a
// response answers): multiValueHeaders or multiValueQueryStringParameters
// means multi.
const (
	ModeAuto   Mode = "auto"
	ModeSingle Mode = "single"
	ModeMulti  Mode = "multi"
)

// Finding is one problem in a document.
type Finding struct {
	Rule     RuleID
	Severity Severity
	// Pointer is the RFC 6901 JSON Pointer of the offending value; for a
	// missing member, where it would be.
	Pointer string
	Message string
	// ALBOutcome says what a real ALB would do about it.
	ALBOutcome string
	// Line and Column locate Pointer in the document (1-based; 0 when not
	// computed: see WithPositions).
	Line, Column int
}

// Report is the result of checking one document.
type Report struct {
	Kind Kind
	// Mode is the mode the document was checked in (empty for fixtures and
	// unreadable documents).
	Mode     Mode
	Findings []Finding
	// Skipped is set when the document is valid JSON of no kind albcheck
	// knows; SkipReason says why.
	Skipped    bool
	SkipReason string
	// Strict makes warnings fail the document.
	Strict bool
}

// OK reports whether the document passes: no errors, and no warnings under
// strict checking.
func (r Report) OK() bool {
	for _, f := range r.Findings {
		if f.Severity == Error || r.Strict {
			return false
		}
	}
	return true
}

// ClientStatus is the status the client gets instead of the function's
// reply because of this document (the ALB's own 502 for a response it cannot
// use; 413 or 405 for a request it refuses), or 0 when the ALB passes the
// reply on.
func (r Report) ClientStatus() int {
	for _, f := range r.Findings {
		if rule := ruleIndex[f.Rule]; rule != nil && rule.Status != 0 && f.Severity == Error {
			return rule.Status
		}
	}
	return 0
}

// Has reports whether the report holds a finding of this rule.
func (r Report) Has(id RuleID) bool {
	for _, f := range r.Findings {
		if f.Rule == id {
			return true
		}
	}
	return false
}

// String lists the findings one per line, for test failures and logs.
func (r Report) String() string {
	if len(r.Findings) == 0 {
		return "no findings"
	}
	var b strings.Builder
	for i, f := range r.Findings {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(f.String())
	}
	return b.String()
}

// String formats a finding as "RULE severity pointer: message".
func (f Finding) String() string {
	p := f.Pointer
	if p == "" {
		p = "(root)"
	}
	return string(f.Rule) + " " + string(f.Severity) + " " + p + ": " + f.Message
}

// findings collects findings for one document. However many a document
// has, it holds only what capFindings will show and a count of the rest:
// when the list grows past twice what it kept last time, it is sorted and
// cut to the first maxPerRule of each rule (the ones capFindings keeps
// anyway), so two million bad header values cost a few hundred findings of
// memory, not two million.
type findings struct {
	list    []Finding
	prefix  string         // pointer prefix, for events inside fixtures
	dropped map[RuleID]int // findings cut by compact, by rule
	limit   int            // the length at which to compact next
	// unchecked counts the members not checked against the schema once
	// maxSchemaErrors were found.
	unchecked int
}

// compactMin is the fewest findings worth compacting.
const compactMin = 4096

func (fs *findings) add(id RuleID, pointer, msg string) {
	r := ruleIndex[id]
	fs.append(Finding{Rule: id, Severity: r.Severity, Pointer: fs.prefix + pointer, Message: msg, ALBOutcome: r.Outcome})
}

// append adds a finding; the new one is the list's last until the next
// append.
func (fs *findings) append(f Finding) {
	if len(fs.list) >= max(fs.limit, compactMin) {
		fs.compact()
	}
	fs.list = append(fs.list, f)
}

// absorb moves another collector's findings into this one.
func (fs *findings) absorb(sub *findings) {
	for _, f := range sub.list {
		fs.append(f)
	}
	fs.unchecked += sub.unchecked
	for id, n := range sub.dropped {
		if fs.dropped == nil {
			fs.dropped = map[RuleID]int{}
		}
		fs.dropped[id] += n
	}
}

func (fs *findings) compact() {
	list := sortFindings(fs.list)
	count := map[RuleID]int{}
	kept := list[:0]
	for _, f := range list {
		count[f.Rule]++
		if count[f.Rule] <= maxPerRule {
			kept = append(kept, f)
			continue
		}
		if fs.dropped == nil {
			fs.dropped = map[RuleID]int{}
		}
		fs.dropped[f.Rule]++
	}
	clear(list[len(kept):]) // let the cut findings' strings go
	fs.list = kept
	fs.limit = 2 * len(kept)
}

// result sorts the findings and caps them for a report.
func (fs *findings) result() []Finding {
	return capFindings(sortFindings(fs.list), fs.dropped, fs.unchecked)
}

// sortFindings orders findings by pointer then rule and drops repeats of the
// same rule at the same pointer: one mistake, one finding.
func sortFindings(list []Finding) []Finding {
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].Pointer != list[j].Pointer {
			return pointerLess(list[i].Pointer, list[j].Pointer)
		}
		return list[i].Rule < list[j].Rule
	})
	out := list[:0]
	for i, f := range list {
		if i > 0 && f.Rule == out[len(out)-1].Rule && f.Pointer == out[len(out)-1].Pointer {
			continue
		}
		out = append(out, f)
	}
	return out
}

// pointerLess orders pointers as the document does: token by token, array
// indexes by number (/2 before /10), so that a report's first findings are
// the document's first, not the ones whose index sorts first as text.
func pointerLess(a, b string) bool {
	for a != "" && b != "" {
		var ta, tb string
		ta, a = cutToken(a)
		tb, b = cutToken(b)
		if ta == tb {
			continue
		}
		na, aNum := index(ta)
		nb, bNum := index(tb)
		if aNum && bNum {
			return na < nb
		}
		return ta < tb
	}
	return a == "" && b != ""
}

// cutToken splits "/tok/rest" into "tok" and "/rest".
func cutToken(p string) (string, string) {
	p = strings.TrimPrefix(p, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i], p[i:]
	}
	return p, ""
}

// index reads an array index token: digits, no leading zero.
func index(tok string) (int, bool) {
	if tok == "" || len(tok) > 9 || (len(tok) > 1 && tok[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return 0, false
		}
		n = n*10 + int(tok[i]-'0')
	}
	return n, true
}

// NewFinding makes a finding of a rule, with the rule's severity and outcome,
// for callers that report problems found outside this package (a file that
// cannot be read, say).
func NewFinding(id RuleID, pointer, message string) Finding {
	fs := &findings{}
	fs.add(id, pointer, message)
	return fs.list[0]
}

// maxPerRule bounds the findings of one rule on one document. A document
// with 80,000 bad items would otherwise print 80,000 lines, and locating
// each costs a pass over the document.
const maxPerRule = 100

// capFindings keeps the first maxPerRule findings of each rule (in their
// sorted order) and adds, for a rule that had more, one finding that
// counts the rest.
func capFindings(list []Finding, dropped map[RuleID]int, unchecked int) []Finding {
	if len(list) <= maxPerRule && len(dropped) == 0 {
		return list
	}
	count := map[RuleID]int{}
	out := list[:0]
	var more []Finding
	for _, f := range list {
		count[f.Rule]++
		switch n := count[f.Rule]; {
		case n <= maxPerRule:
			out = append(out, f)
		case n == maxPerRule+1:
			// At the root: the rest are spread through the document, so
			// no one pointer says where they are.
			more = append(more, Finding{Rule: f.Rule, Severity: f.Severity, ALBOutcome: f.ALBOutcome})
		}
	}
	for id, n := range dropped {
		if n > 0 && count[id] <= maxPerRule {
			r := ruleIndex[id]
			more = append(more, Finding{Rule: id, Severity: r.Severity, ALBOutcome: r.Outcome})
		}
	}
	slices.SortFunc(more, func(a, b Finding) int { return strings.Compare(string(a.Rule), string(b.Rule)) })
	// Past maxSchemaErrors part of the document went unchecked: the counts
	// are a floor, and the message says so.
	floor, why := "", ""
	if unchecked > 0 {
		floor = "at least "
		why = fmt.Sprintf(" (after %d schema errors albcheck checked %d more members no further)", maxSchemaErrors, unchecked)
	}
	for i := range more {
		id := more[i].Rule
		more[i].Message = fmt.Sprintf("and %s%d more %s findings in this document%s", floor, max(0, count[id]-maxPerRule)+dropped[id], id, why)
	}
	return append(out, more...)
}
