package main

import (
	"fmt"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/validate"
)

// infraFlagHelp is the help of --infra, the same for validate, replay and
// serve.
const infraFlagHelp = "infrastructure file (CloudFormation/SAM template, Terraform plan JSON, serverless.yml) to take the target group's mode from, unless --mode; repeatable"

// infraModes resolves target-group modes from --infra files: the CLI reads
// the infrastructure, so that validate, fakeevent and replay stay light.
type infraModes struct{ p *infra.Project }

// loadProject reads infrastructure files; tests replace it to hand the
// commands a project built in Go.
var loadProject = infra.Load

// loadInfraModes reads the --infra files; an unreadable file, or one with
// no load balancer, is a usage error naming it.
func loadInfraModes(paths []string) (*infraModes, error) {
	p, err := loadProject(paths...)
	if err != nil {
		return nil, usageError("--infra: %v", err)
	}
	return &infraModes{p}, nil
}

// mode is the mode of the target group name stands for (a function or a
// target group; empty for the only Lambda target group).
func (m *infraModes) mode(name string) (validate.Mode, error) {
	return m.p.ModeFor(name)
}

// only is the mode of the target group the deployed function sits behind
// (when the files know it by that name), else of the only Lambda target
// group; the error is a usage error that says how to choose.
func (m *infraModes) only(deployed string) (validate.Mode, error) {
	if deployed != "" {
		if mode, err := m.p.ModeFor(deployed); err == nil {
			return mode, nil
		}
	}
	mode, err := m.p.ModeFor("")
	if err != nil {
		return "", usageError("--infra: %v; or give --mode single or multi", err)
	}
	return mode, nil
}

// modeOf is replay's LoadOptions.ModeOf: a case's target group, else its
// function, else the deployed --function, else the only target group.
func (m *infraModes) modeOf(deployed string) func(function, targetGroup string) (fakeevent.Mode, error) {
	return func(function, targetGroup string) (fakeevent.Mode, error) {
		name := targetGroup
		if name == "" {
			name = function
		}
		if name == "" && deployed != "" {
			if mode, err := m.mode(deployed); err == nil {
				return fakeevent.Mode(mode), nil
			}
		}
		mode, err := m.mode(name)
		if err != nil {
			if name == "" {
				return "", fmt.Errorf("%w: name one with \"function\" or \"targetGroup\" in the case, or give --mode", err)
			}
			return "", err
		}
		return fakeevent.Mode(mode), nil
	}
}
