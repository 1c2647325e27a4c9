package infra

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/albcheck/albcheck/internal/inputs"
)

// MaxFileSize bounds an infrastructure file albcheck reads. A synthesized
// CDK template or a Terraform plan of a large project runs to a few
// megabytes; this leaves room and refuses a runaway file.
const MaxFileSize = 64 << 20

// Load reads each file, tells its format from its content and returns one
// project holding the load balancers of all of them. An error names the
// file (and, where it can, the line) that could not be read or parsed, or
// says that the files hold no load balancer. Problems a reader can go on
// after (an intrinsic it cannot resolve, a reference to a resource that does
// not exist) are findings in Project.Findings, not errors.
func Load(paths ...string) (*Project, error) {
	all := &Project{}
	for _, path := range paths {
		data, err := inputs.ReadFile(path, MaxFileSize)
		if err != nil {
			return nil, err
		}
		p, err := Parse(path, data)
		if err != nil {
			return nil, err
		}
		all.merge(p)
	}
	if len(all.LoadBalancers) == 0 && len(all.TargetGroups) == 0 {
		return nil, fmt.Errorf("%s: no load balancer or target group in %s", joinPaths(paths), plural(len(paths), "this file", "these files"))
	}
	return all, nil
}

// Parse reads one file's content; name is used in errors and in every
// Source.
func Parse(name string, data []byte) (*Project, error) {
	format, err := Detect(name, data)
	if err != nil {
		return nil, err
	}
	var p *Project
	switch format {
	case CloudFormation:
		p, err = readCloudFormation(name, data)
	case Terraform:
		p, err = readTerraform(name, data)
	case Serverless:
		p, err = readServerless(name, data)
	}
	if err != nil {
		return nil, err
	}
	p.Format = format
	p.formats = map[string]Format{name: format}
	return p, nil
}

// Detect tells a file's format from its content: a Terraform plan is JSON
// with format_version and planned_values (a state file has values and no
// planned_values, and is refused with a hint); a CloudFormation or SAM
// template has Resources or AWSTemplateFormatVersion; a Serverless
// configuration has service and functions or provider.
func Detect(name string, data []byte) (Format, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return "", fmt.Errorf("%s: the file is empty", name)
	}
	if isBinary(data) {
		// The YAML parser would say "invalid leading UTF-8 octet".
		return "", fmt.Errorf("%s: not a text file (a zip archive or other binary?)", name)
	}
	var jsonErr error
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var top map[string]json.RawMessage
		if jsonErr = json.Unmarshal(trimmed, &top); jsonErr == nil {
			switch {
			case has(top, "format_version") && (has(top, "planned_values") || has(top, "resource_changes")):
				return Terraform, nil
			case has(top, "format_version") && has(top, "values"):
				return "", fmt.Errorf("%s: this is Terraform state (terraform show -json with no plan), not a plan: %s", name, tfPlanHowTo)
			case has(top, "terraform_version") && has(top, "lineage") && has(top, "resources"):
				// terraform.tfstate as Terraform writes it (state format
				// version 4): the file users find next to their code.
				return "", fmt.Errorf("%s: this is a Terraform state file, not a plan: %s", name, tfPlanHowTo)
			case has(top, "@message") && has(top, "type"):
				return "", fmt.Errorf("%s: this is the output of terraform plan -json (its messages), not a plan: %s", name, tfPlanHowTo)
			case has(top, "Resources") || has(top, "AWSTemplateFormatVersion"):
				return CloudFormation, nil
			case has(top, "service") && (has(top, "functions") || has(top, "provider")):
				return Serverless, nil
			}
			return "", fmt.Errorf("%s: not a CloudFormation or SAM template, a Terraform plan or a Serverless configuration (no Resources, planned_values or service at the top)", name)
		}
	}
	if jsonErr != nil && isTerraformUIStream(trimmed) {
		return "", fmt.Errorf("%s: this is the output of terraform plan -json (its messages), not a plan: %s", name, tfPlanHowTo)
	}
	keys, err := yamlTopKeys(name, data)
	if err != nil {
		if jsonErr != nil {
			// JSON that does not parse: say where, in the file's lines.
			doc := bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
			var v any
			if err := json.Unmarshal(doc, &v); err != nil {
				return "", tfJSONError(name, doc, err)
			}
		}
		return "", err
	}
	switch {
	case keys["Resources"] || keys["AWSTemplateFormatVersion"]:
		return CloudFormation, nil
	case keys["service"] && (keys["functions"] || keys["provider"]):
		return Serverless, nil
	}
	return "", fmt.Errorf("%s: not a CloudFormation or SAM template, a Terraform plan or a Serverless configuration (no Resources, planned_values or service at the top)", name)
}

// tfPlanHowTo says how to make the JSON of a plan.
const tfPlanHowTo = "run terraform plan -out=PLAN and terraform show -json PLAN"

// isTerraformUIStream reports whether data is Terraform's machine-readable
// UI (terraform plan -json): one JSON message a line, each with @message and
// type.
func isTerraformUIStream(data []byte) bool {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	var msg map[string]json.RawMessage
	return json.Unmarshal(first, &msg) == nil && has(msg, "@message") && has(msg, "type")
}

// isBinary reports whether data is not UTF-8 text, judging by its first
// 8 KiB: a NUL byte or bytes that are not UTF-8. UTF-16 with a byte order
// mark (what Windows PowerShell's > writes) is text the YAML parser reads.
func isBinary(data []byte) bool {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return false
	}
	head := data
	if len(head) > 8<<10 {
		head = head[:8<<10]
		// Do not count a character cut at the end.
		for i := 0; i < utf8.UTFMax-1 && !utf8.Valid(head); i++ {
			head = head[:len(head)-1]
		}
	}
	return bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(head)
}

func has(m map[string]json.RawMessage, k string) bool { _, ok := m[k]; return ok }

func (p *Project) merge(q *Project) {
	if p.Format == "" {
		p.Format = q.Format
	}
	if p.formats == nil {
		p.formats = map[string]Format{}
	}
	for file, f := range q.formats {
		p.formats[file] = f
	}
	p.LoadBalancers = append(p.LoadBalancers, q.LoadBalancers...)
	p.Listeners = append(p.Listeners, q.Listeners...)
	p.TargetGroups = append(p.TargetGroups, q.TargetGroups...)
	p.Functions = append(p.Functions, q.Functions...)
	p.Permissions = append(p.Permissions, q.Permissions...)
	p.Findings = append(p.Findings, q.Findings...)
}

func joinPaths(paths []string) string {
	if len(paths) == 1 {
		return paths[0]
	}
	return fmt.Sprintf("%s and %d more", paths[0], len(paths)-1)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
